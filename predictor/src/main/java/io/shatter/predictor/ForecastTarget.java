package io.shatter.predictor;

/** What a model forecasts at each horizon. */
public enum ForecastTarget {
    /** The idle cores at the horizon: a point forecast. */
    END,
    /**
     * The least idle cores over the steps up to the horizon: what decides whether a slot survives
     * a run of that length (a dip in the middle revokes it as surely as one at the end).
     */
    PATH_MINIMUM;

    /** The target's value at step {@code t} for horizon {@code steps}, as a change of the idle fraction. */
    double changeAt(History history, int t, int steps) {
        double now = history.idleFraction(t);
        if (this == END) {
            return history.idleFraction(t + steps) - now;
        }
        double least = Double.POSITIVE_INFINITY;
        for (int s = t + 1; s <= t + steps; s++) {
            least = Math.min(least, history.idleFraction(s));
        }
        return least - now;
    }

    /** The target in idle cores at step {@code t} for horizon {@code steps} of {@code idle}. */
    public int actual(int[] idle, int t, int steps) {
        if (this == END) {
            return idle[t + steps];
        }
        int least = Integer.MAX_VALUE;
        for (int s = t + 1; s <= t + steps; s++) {
            least = Math.min(least, idle[s]);
        }
        return least;
    }
}
