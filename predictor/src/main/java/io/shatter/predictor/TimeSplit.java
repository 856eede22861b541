package io.shatter.predictor;

import java.util.Locale;

/**
 * Chronological split of a series: train on the first 70%, pick the epoch and baseline windows on
 * the next 10% (validation), report on the last 20% (test). A step belongs to a segment when its
 * forecast target (the furthest horizon) lies inside that segment too, so no target of one segment
 * is seen while training on another; nothing is shuffled across segments.
 *
 * @param firstUsable first step with enough history for features
 * @param trainEnd    first step of validation
 * @param validationEnd first step of test
 * @param length      steps in the series
 * @param maxHorizon  furthest horizon in steps
 */
public record TimeSplit(int firstUsable, int trainEnd, int validationEnd, int length, int maxHorizon) {
    /** Fraction of each log held out as test, at its end. */
    public static final double TEST_FRACTION = 0.2;
    /** Fraction of each log used for validation, just before the test period. */
    public static final double VALIDATION_FRACTION = 0.1;

    /** The split of a series of {@code length} steps; fails with a clear message if it is too short. */
    public static TimeSplit of(CapacitySeries series, int historySteps, int maxHorizon) {
        int n = series.length();
        int trainEnd = (int) Math.floor(n * (1 - TEST_FRACTION - VALIDATION_FRACTION));
        int validationEnd = (int) Math.floor(n * (1 - TEST_FRACTION));
        TimeSplit split = new TimeSplit(historySteps, trainEnd, validationEnd, n, maxHorizon);
        int needed = (int) Math.ceil((historySteps + 20.0 * maxHorizon + 200) / (1 - TEST_FRACTION - VALIDATION_FRACTION)) + 10 * maxHorizon;
        if (n < needed || split.trainCount() < 100 || split.validationCount() < 10 || split.testCount() < 10) {
            double stepMinutes = series.stepSeconds() / 60.0;
            throw new PredictorException(String.format(Locale.ROOT,
                    "Trace %s is too short to train and evaluate on: it covers %.1f days (%d steps of %s minutes) "
                            + "but at least %.1f days (%d steps) are needed: a day of history for the features, the "
                            + "furthest horizon (%s minutes), and separate training, validation (10%%) and test (last 20%%) periods.",
                    series.source(), series.days(), n, fmt(stepMinutes), needed * series.stepSeconds() / 86400.0, needed,
                    fmt(maxHorizon * stepMinutes)));
        }
        return split;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** First training step. */
    public int trainFrom() {
        return firstUsable;
    }

    /** End (exclusive) of training steps. */
    public int trainTo() {
        return Math.max(firstUsable, trainEnd - maxHorizon);
    }

    /** First validation step. */
    public int validationFrom() {
        return Math.max(firstUsable, trainEnd);
    }

    /** End (exclusive) of validation steps. */
    public int validationTo() {
        return Math.max(validationFrom(), validationEnd - maxHorizon);
    }

    /** First test step. */
    public int testFrom() {
        return Math.max(firstUsable, validationEnd);
    }

    /** End (exclusive) of test steps. */
    public int testTo() {
        return Math.max(testFrom(), length - maxHorizon);
    }

    int trainCount() {
        return trainTo() - trainFrom();
    }

    int validationCount() {
        return validationTo() - validationFrom();
    }

    int testCount() {
        return testTo() - testFrom();
    }
}
