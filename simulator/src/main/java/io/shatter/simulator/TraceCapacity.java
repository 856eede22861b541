package io.shatter.simulator;

import io.shatter.ExcessCapacityFeed;
import io.shatter.broker.CapacityFeedPoller;
import io.shatter.broker.EventSource;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.TraceReplay;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.EmpiricalSurvivalForecaster;

import java.time.Duration;

/**
 * Excess capacity from a real workload log: the log's machine scaled to the simulated excess
 * ranks, replayed on the simulated clock (one trace second per simulated second), polled like a
 * live capacity monitor, so that the core revokes and restores excess ranks ({@code idle / cores
 * per excess rank}, highest first) and its forecaster learns from the same samples it would get live.
 */
public final class TraceCapacity {
    /** Days of samples a live monitor would have seen before the run: a day fills a model's inputs, a day more its error estimates. */
    private static final int WARMUP_SECONDS = 2 * 86_400;

    private TraceCapacity() {
    }

    /**
     * {@code series} scaled so that its machine's cores are {@code excessRanks * coresPerRank}: the
     * idle fraction of the log's machine is the fraction of the excess ranks alive.
     */
    public static CapacitySeries scaled(CapacitySeries series, int excessRanks, int coresPerRank) {
        if (excessRanks < 1 || coresPerRank < 1) {
            throw new IllegalArgumentException("a capacity trace drives excess ranks: give at least one excess rank (--ranks more than --reserved)");
        }
        long target = (long) excessRanks * coresPerRank;
        double factor = (double) target / series.totalCores();
        int[] idle = new int[series.length()];
        int[] pending = new int[series.length()];
        for (int k = 0; k < idle.length; k++) {
            idle[k] = (int) Math.min(target, Math.round(series.idle()[k] * factor));
            pending[k] = (int) Math.min(Integer.MAX_VALUE, Math.round(series.pending()[k] * factor));
        }
        return new CapacitySeries(series.source(), series.partition(), series.startEpochSeconds(), series.stepSeconds(),
                (int) Math.min(Integer.MAX_VALUE, target), series.zone(), idle, pending, series.queue(), series.clampedSteps(),
                series.notes());
    }

    /** The step of the series at {@code startDays} into it, or a clear error if the log is shorter. */
    public static int startStep(CapacitySeries series, double startDays) {
        long step = Math.round(startDays * 86_400 / series.stepSeconds());
        if (startDays < 0 || step >= series.length()) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "--trace-start %.2f days is outside the trace %s, which spans %.2f days", startDays, series.source(), series.days()));
        }
        return (int) step;
    }

    /**
     * The production capacity feed over a replay of {@code scaled} from {@code startStep}, on the
     * simulated clock, polled every {@code pollEvery}.
     */
    public static EventSource feed(CapacitySeries scaled, int startStep, int excessRanks, int coresPerRank, SimClock clock,
                                   Duration pollEvery) {
        TraceReplay replay = new TraceReplay(scaled, Duration.ofSeconds((long) startStep * scaled.stepSeconds()), 1.0,
                excessRanks, coresPerRank, clock);
        return new CapacityFeedPoller(new ExcessCapacityFeed(replay, coresPerRank, pollEvery), 0);
    }

    /**
     * Feeds the forecaster the samples a live monitor would have recorded before the start: two
     * days (a model's inputs and error estimates), or the whole history the empirical baseline
     * keeps (the partition's recent past, which a site has).
     */
    public static void warmUp(CapacityForecaster forecaster, CapacitySeries scaled, int startStep) {
        int seconds = forecaster instanceof EmpiricalSurvivalForecaster
                ? EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS * EmpiricalSurvivalForecaster.DEFAULT_STEP_SECONDS : WARMUP_SECONDS;
        int from = Math.max(0, startStep - seconds / scaled.stepSeconds());
        for (int k = from; k < startStep; k++) {
            forecaster.observe(scaled.sampleAt(k));
        }
    }
}
