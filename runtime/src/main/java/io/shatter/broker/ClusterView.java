package io.shatter.broker;

import io.shatter.spi.CapacityForecaster;

import java.util.List;

/** The ranks and the forecast, as a placement policy sees them. */
public interface ClusterView {

    /** Every worker rank, joined or not, in rank order. */
    List<? extends RankView> ranks();

    /**
     * Idle cores of the excess partition that an excess rank stands for, the unit of the
     * forecaster's per-slot question: the rank's own cores, unless an
     * {@link io.shatter.ExcessCapacityFeed} maps each excess rank to its {@code coresPerExcessRank}.
     */
    default int partitionCoresOf(RankView excessRank) {
        return excessRank.cores();
    }

    /** The capacity forecaster. */
    CapacityForecaster forecaster();

    /** Expected run time of a shard, from recent attempts (0 before any completed). */
    long expectedRunNanos();
}
