package io.shatter.predictor;

import io.shatter.spi.CapacitySample;
import io.shatter.spi.CapacitySource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Replays a trace's idle cores as excess capacity on a time-scaled clock, to drive simulated
 * revocations: {@code timeScale} trace seconds pass per wall-clock second, starting
 * {@code startOffset} into the trace. {@code excessRanks} local excess ranks stand for the
 * trace's idle cores at {@code coresPerRank} cores each: at every moment
 * {@code min(excessRanks, idle / coresPerRank)} of them are alive, the others revoked.
 *
 * <p>Past the end of the trace the last step holds. Also a {@link CapacitySource}: {@link #poll()}
 * returns the samples of the steps the clock has passed since the previous poll.
 */
public final class TraceReplay implements CapacitySource {
    private final CapacitySeries series;
    private final long startOffsetSeconds;
    private final double timeScale;
    private final int excessRanks;
    private final int coresPerRank;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private int nextPolledStep = -1;

    /**
     * A replay on the given clock (nanoseconds, e.g. {@code System::nanoTime} or a simulated
     * clock); time zero is when the replay is created.
     */
    public TraceReplay(CapacitySeries series, Duration startOffset, double timeScale, int excessRanks, int coresPerRank,
                       LongSupplier nanoClock) {
        if (timeScale <= 0 || excessRanks < 0 || coresPerRank <= 0) {
            throw new IllegalArgumentException("time scale and cores per rank must be positive, ranks not negative");
        }
        if (startOffset.isNegative() || startOffset.getSeconds() >= (long) series.length() * series.stepSeconds()) {
            throw new PredictorException("Start offset " + startOffset + " is outside the trace " + series.source() + " ("
                    + String.format(java.util.Locale.ROOT, "%.1f", series.days()) + " days).");
        }
        this.series = series;
        this.startOffsetSeconds = startOffset.getSeconds();
        this.timeScale = timeScale;
        this.excessRanks = excessRanks;
        this.coresPerRank = coresPerRank;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /**
     * A replay on the system clock with {@link #defaultCoresPerRank} cores per rank: all ranks
     * are alive when the trace has at least its median idle cores.
     */
    public static TraceReplay of(CapacitySeries series, Duration startOffset, double timeScale, int excessRanks) {
        return new TraceReplay(series, startOffset, timeScale, excessRanks, defaultCoresPerRank(series, excessRanks),
                System::nanoTime);
    }

    /** Cores per rank such that the trace's median idle cores keep all {@code excessRanks} alive. */
    public static int defaultCoresPerRank(CapacitySeries series, int excessRanks) {
        int[] sorted = series.idle().clone();
        Arrays.sort(sorted);
        int median = sorted[sorted.length / 2];
        if (median == 0) {
            median = (int) Math.ceil(Arrays.stream(sorted).average().orElse(1));
        }
        return Math.max(1, median / Math.max(1, excessRanks));
    }

    /** Cores one excess rank stands for. */
    public int coresPerRank() {
        return coresPerRank;
    }

    /** The trace step at {@code elapsed} wall-clock time since the replay started. */
    public int stepAt(Duration elapsed) {
        double traceSeconds = startOffsetSeconds + elapsed.toNanos() / 1e9 * timeScale;
        return (int) Math.min(series.length() - 1, Math.max(0, Math.floor(traceSeconds / series.stepSeconds())));
    }

    /** Excess ranks alive at {@code elapsed} wall-clock time since the replay started. */
    public int aliveExcessRanks(Duration elapsed) {
        return alive(stepAt(elapsed));
    }

    /** Excess ranks alive now, on the replay's clock. */
    public int aliveExcessRanks() {
        return aliveExcessRanks(elapsed());
    }

    /** The trace's capacity sample at {@code elapsed}. */
    public CapacitySample sampleAt(Duration elapsed) {
        return series.sampleAt(stepAt(elapsed));
    }

    /** Wall-clock time since the replay started. */
    public Duration elapsed() {
        return Duration.ofNanos(nanoClock.getAsLong() - startNanos);
    }

    /**
     * Wall-clock moments within {@code horizon} (from the replay's start) at which alive ranks
     * change, with the new count: {@code [elapsed nanos, alive]} pairs, the first at 0.
     */
    public List<long[]> aliveChanges(Duration horizon) {
        List<long[]> changes = new ArrayList<>();
        int last = stepAt(horizon);
        int previous = -1;
        for (int k = stepAt(Duration.ZERO); k <= last; k++) {
            int alive = alive(k);
            if (alive != previous) {
                double traceSeconds = Math.max(startOffsetSeconds, (long) k * series.stepSeconds());
                long nanos = Math.round((traceSeconds - startOffsetSeconds) / timeScale * 1e9);
                changes.add(new long[] {nanos, alive});
                previous = alive;
            }
        }
        return changes;
    }

    private int alive(int step) {
        return Math.min(excessRanks, series.idle()[step] / coresPerRank);
    }

    /** Samples of the trace steps the clock has reached since the last poll (the current step on the first). */
    @Override
    public List<CapacitySample> poll() {
        int now = stepAt(elapsed());
        List<CapacitySample> samples = new ArrayList<>();
        int from = nextPolledStep < 0 ? now : nextPolledStep;
        for (int k = from; k <= now; k++) {
            samples.add(series.sampleAt(k));
        }
        nextPolledStep = Math.max(nextPolledStep, now + 1);
        return samples;
    }
}
