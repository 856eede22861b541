package io.shatter.broker;

import io.shatter.spi.CapacityForecaster;

import java.util.List;

/** The ranks and the forecast, as a placement policy sees them. */
public interface ClusterView {

    /** Every worker rank, joined or not. */
    List<? extends RankView> ranks();

    /** The capacity forecaster. */
    CapacityForecaster forecaster();

    /** Expected run time of a shard, from recent attempts (0 before any completed). */
    long expectedRunNanos();
}
