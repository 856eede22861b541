package io.shatter.predictor;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model against the baselines on the held-out test period (the last 20% of the series):
 * the mean absolute error in idle cores at each horizon (of the idle cores at the horizon, or of
 * their least value up to it for a {@link ForecastTarget#PATH_MINIMUM} model), over the same test
 * steps for everyone.
 * The moving-average window is chosen per horizon on the validation period, never on test.
 */
public final class Evaluator {

    /**
     * Errors at one horizon, in cores.
     *
     * @param minutes             the horizon
     * @param model               the model's MAE
     * @param persistence         persistence's MAE
     * @param movingAverage       moving average's MAE
     * @param movingAverageWindow the moving-average window used, in minutes
     * @param sameTimeYesterday   same-time-the-day-before's MAE
     * @param ridge               MAE of ridge regression on the model's own inputs (see {@link RidgeBaseline})
     */
    public record HorizonScore(int minutes, double model, double persistence, double movingAverage, int movingAverageWindow,
                               double sameTimeYesterday, double ridge) {
        /** Model MAE over persistence MAE (below 1: the model wins). */
        public double ratioToPersistence() {
            return model / persistence;
        }
    }

    /**
     * A test-period report.
     *
     * @param source      the trace
     * @param totalCores  the partition's cores
     * @param testFrom    first test step
     * @param testTo      end (exclusive) of test steps
     * @param scores      per horizon
     * @param series      the evaluated series (for plots)
     * @param forecasts   the model's forecasts, {@code [horizon][t - testFrom]}, made at step t for t + horizon
     * @param notes       what the trace reader assumed or clamped
     * @param target      what was forecast and scored
     */
    public record Report(String source, int totalCores, int testFrom, int testTo, List<HorizonScore> scores,
                         CapacitySeries series, double[][] forecasts, List<String> notes, ForecastTarget target) {
        /** Test steps. */
        public int testSteps() {
            return testTo - testFrom;
        }
    }

    private Evaluator() {
    }

    /** Evaluates {@code model} on the test period of {@code series}. */
    public static Report evaluate(CapacityModel model, CapacitySeries series, String modelName) {
        model.requireCompatible(series, modelName);
        int[] horizonSteps = model.metadata().horizonSteps();
        int maxHorizon = java.util.Arrays.stream(horizonSteps).max().orElseThrow();
        TimeSplit split = TimeSplit.of(series, model.features().historySteps(), maxHorizon);
        int from = split.testFrom();
        int to = split.testTo();
        double[][] forecasts = model.forecastIdle(series, from, to);
        double[][] ridge = RidgeBaseline.forecastTest(series, model.features(), horizonSteps, split);
        int[] idle = series.idle();
        int daySteps = model.features().daySteps();
        ForecastTarget target = model.metadata().target();
        List<HorizonScore> scores = new ArrayList<>();
        for (int j = 0; j < horizonSteps.length; j++) {
            int h = horizonSteps[j];
            int window = bestMovingAverageWindow(idle, split.validationFrom(), split.validationTo(), h, target);
            double modelSum = 0;
            double persistenceSum = 0;
            double averageSum = 0;
            double yesterdaySum = 0;
            double ridgeSum = 0;
            for (int t = from; t < to; t++) {
                double actual = target.actual(idle, t, h);
                modelSum += Math.abs(forecasts[j][t - from] - actual);
                persistenceSum += Math.abs(Baselines.persistence(idle, t) - actual);
                averageSum += Math.abs(Baselines.movingAverage(idle, t, window) - actual);
                yesterdaySum += Math.abs(Baselines.sameTimeYesterday(idle, t, h, daySteps) - actual);
                ridgeSum += Math.abs(ridge[j][t - from] - actual);
            }
            int n = to - from;
            scores.add(new HorizonScore(model.metadata().horizonMinutes()[j], modelSum / n, persistenceSum / n, averageSum / n,
                    window * series.stepSeconds() / 60, yesterdaySum / n, ridgeSum / n));
        }
        return new Report(series.source(), series.totalCores(), from, to, List.copyOf(scores), series, forecasts, series.notes(), target);
    }

    private static int bestMovingAverageWindow(int[] idle, int from, int to, int horizon, ForecastTarget target) {
        int best = Baselines.MOVING_AVERAGE_WINDOWS[0];
        double bestMae = Double.POSITIVE_INFINITY;
        for (int window : Baselines.MOVING_AVERAGE_WINDOWS) {
            double sum = 0;
            for (int t = from; t < to; t++) {
                sum += Math.abs(Baselines.movingAverage(idle, t, window) - target.actual(idle, t, horizon));
            }
            if (sum < bestMae) {
                bestMae = sum;
                best = window;
            }
        }
        return best;
    }
}
