package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.RankView;
import io.shatter.spi.CapacityForecaster;

import java.time.Duration;
import java.util.List;

/**
 * The core's ranks and forecast as the placement policy sees them, answered from the core's
 * indexes: ranks with room from {@link CapacityIndex}, the excess cores a slot needs from its
 * Fenwick sums, and the forecast's odds for an excess rank once per rank and placement round.
 */
final class CoreView implements ClusterView {
    private final BrokerCore core;
    /**
     * Per rank, three longs side by side (one place in memory, not three arrays): the placement round and
     * run length last asked about, and the forecast's odds for them (as the double's bits).
     */
    private final long[] survivalAsked;
    private long round = 1;

    CoreView(BrokerCore core) {
        this.core = core;
        int ranks = core.slots.length;
        survivalAsked = new long[ranks * 3];
    }

    /** A placement round starts: the forecast or the live excess ranks may have changed since the last. */
    void newRound() {
        round++;
    }

    @Override
    public List<? extends RankView> ranks() {
        return core.workerSlots;
    }

    @Override
    public List<? extends RankView> ranksWithRoom(CapacityClass capacityClass, int limit) {
        return core.index.withRoom(capacityClass, limit);
    }

    @Override
    public RankView rank(int rank) {
        return core.slots[rank];
    }

    @Override
    public double excessCoresToKeep(RankView excessRank) {
        return core.index.excessCoresUpTo(excessRank.rank());
    }

    /** Answered once per rank and round: the forecast and the live excess ranks do not change within one. */
    @Override
    public double excessSurvival(RankView excessRank, Duration run) {
        int rank = excessRank.rank();
        long runNanos = run.toNanos();
        int at = rank * 3;
        if (survivalAsked[at] != round || survivalAsked[at + 1] != runNanos) {
            survivalAsked[at] = round;
            survivalAsked[at + 1] = runNanos;
            survivalAsked[at + 2] = Double.doubleToRawLongBits(core.forecaster.survivalProbability(run, excessCoresToKeep(excessRank)));
        }
        return Double.longBitsToDouble(survivalAsked[at + 2]);
    }

    @Override
    public int partitionCoresOf(RankView excessRank) {
        return core.partitionCoresOf(excessRank);
    }

    @Override
    public CapacityForecaster forecaster() {
        return core.forecaster;
    }

    @Override
    public long expectedRunNanos() {
        return core.expectedRunNanos;
    }

    @Override
    public long checkpointEveryNanos() {
        return core.settings.checkpointEveryNanos();
    }
}
