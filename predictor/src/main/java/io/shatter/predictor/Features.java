package io.shatter.predictor;

import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * The model's inputs at step t, all known at t: the last hour of idle cores (fractions of the
 * partition), recent changes, hour/half-day/day means, the same time the day before (at each
 * horizon), pending demand, time of day and day of week; plus queue channels for
 * {@link FeatureSet#QUEUE}. Targets are the change of the idle fraction (at each horizon, or its
 * least value up to each horizon: {@link ForecastTarget}), a residual over persistence, which is
 * strong at short horizons.
 */
final class Features {
    /** Lagged idle values: one hour at 5-minute steps. */
    static final int LAGS = 12;
    private static final int[] DELTAS = {1, 3, 6, 12};
    private static final int[] MEAN_WINDOWS_SECONDS = {3600, 6 * 3600, 86400};

    private final FeatureSet set;
    private final int stepSeconds;
    private final int[] horizonSteps;
    private final int daySteps;
    private final int[] meanWindows;
    private final ForecastTarget target;

    Features(FeatureSet set, int stepSeconds, int[] horizonSteps, ForecastTarget target) {
        this.set = set;
        this.target = target;
        this.stepSeconds = stepSeconds;
        this.horizonSteps = horizonSteps.clone();
        this.daySteps = Math.max(1, 86400 / stepSeconds);
        this.meanWindows = new int[MEAN_WINDOWS_SECONDS.length];
        for (int i = 0; i < meanWindows.length; i++) {
            meanWindows[i] = Math.max(1, MEAN_WINDOWS_SECONDS[i] / stepSeconds);
        }
    }

    /** Steps of history needed before the first usable step. */
    int historySteps() {
        return Math.max(daySteps, LAGS);
    }

    int count() {
        int base = LAGS + DELTAS.length + meanWindows.length + 1 + horizonSteps.length + 3 + 4;
        return set == FeatureSet.QUEUE ? base + QueueChannel.values().length + 1 : base;
    }

    /** Writes the features of step {@code t} (which needs {@link #historySteps()} steps before it) into {@code out}. */
    void extract(History h, int t, float[] out, int offset) {
        int i = offset;
        double now = h.idleFraction(t);
        for (int lag = 0; lag < LAGS; lag++) {
            out[i++] = (float) h.idleFraction(t - lag);
        }
        for (int d : DELTAS) {
            out[i++] = (float) (now - h.idleFraction(t - d));
        }
        for (int w : meanWindows) {
            double sum = 0;
            for (int k = 0; k < w; k++) {
                sum += h.idleFraction(t - k);
            }
            out[i++] = (float) (sum / w - now);
        }
        out[i++] = (float) (h.idleFraction(t - daySteps) - now);
        for (int hs : horizonSteps) {
            // Same time yesterday, at the horizon: the daily rhythm of the site.
            out[i++] = (float) (h.idleFraction(t - daySteps + Math.min(hs, daySteps)) - now);
        }
        double pending = h.pendingFraction(t);
        out[i++] = (float) Math.min(pending, 4.0);
        out[i++] = (float) Math.log1p(pending);
        out[i++] = (float) Math.max(-4.0, Math.min(4.0, pending - h.pendingFraction(t - Math.min(6, t))));
        ZonedDateTime local = Instant.ofEpochSecond(h.epochSecondsAt(t)).atZone(h.zone());
        double dayAngle = 2 * Math.PI * local.toLocalTime().toSecondOfDay() / 86400.0;
        double weekAngle = 2 * Math.PI * (local.getDayOfWeek().getValue() - 1 + local.toLocalTime().toSecondOfDay() / 86400.0) / 7.0;
        out[i++] = (float) Math.sin(dayAngle);
        out[i++] = (float) Math.cos(dayAngle);
        out[i++] = (float) Math.sin(weekAngle);
        out[i++] = (float) Math.cos(weekAngle);
        if (set == FeatureSet.QUEUE) {
            for (QueueChannel channel : QueueChannel.values()) {
                out[i++] = (float) h.queue(channel, t);
            }
            out[i++] = (float) (h.queue(QueueChannel.HEAD_OF_QUEUE, t) - now);
        }
    }

    /** Targets of step {@code t}: the change of {@code target} at each horizon. */
    void targets(History h, int t, float[] out, int offset) {
        for (int j = 0; j < horizonSteps.length; j++) {
            out[offset + j] = (float) target.changeAt(h, t, horizonSteps[j]);
        }
    }

    int daySteps() {
        return daySteps;
    }
}
