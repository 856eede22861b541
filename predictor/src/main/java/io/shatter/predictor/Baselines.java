package io.shatter.predictor;

/**
 * The plain forecasts every model is reported against. Each returns idle cores at step
 * {@code t + horizonSteps} knowing the series up to step {@code t} only.
 */
public final class Baselines {
    /** Moving-average windows (in steps) tried on the validation period; the best is used on test. */
    static final int[] MOVING_AVERAGE_WINDOWS = {3, 6, 12, 36, 72, 288};

    private Baselines() {
    }

    /** Persistence: the future looks like now. */
    public static double persistence(int[] idle, int t) {
        return idle[t];
    }

    /** Mean of the last {@code window} steps, up to and including {@code t}. */
    public static double movingAverage(int[] idle, int t, int window) {
        int from = Math.max(0, t - window + 1);
        long sum = 0;
        for (int k = from; k <= t; k++) {
            sum += idle[k];
        }
        return (double) sum / (t - from + 1);
    }

    /** Same time the day before: the value one day before the target time. */
    public static double sameTimeYesterday(int[] idle, int t, int horizonSteps, int daySteps) {
        int k = t + Math.min(horizonSteps, daySteps) - daySteps;
        return idle[Math.max(0, k)];
    }
}
