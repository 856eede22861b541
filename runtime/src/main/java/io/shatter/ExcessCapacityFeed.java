package io.shatter;

import io.shatter.spi.CapacitySource;

import java.time.Duration;
import java.util.Objects;

/**
 * Drives the excess ranks from a capacity source: every {@code pollEvery} the broker polls
 * {@code source}, feeds each sample to the forecaster, and keeps
 * {@code min(excess ranks, idleCores / coresPerExcessRank)} excess ranks alive, revoking the
 * highest-numbered live ones (with the configured grace) when idle cores fall and restoring the
 * lowest-numbered revoked ones when they rise. This is how a trace replay or a partition monitor
 * turns "the cluster's idle cores fell" into revocations, in tests, simulations and benchmarks.
 *
 * @param source             where the samples come from (polled on the broker's event loop)
 * @param coresPerExcessRank idle cores that one excess rank stands for
 * @param pollEvery          how often to poll
 */
public record ExcessCapacityFeed(CapacitySource source, int coresPerExcessRank, Duration pollEvery) {
    public ExcessCapacityFeed {
        Objects.requireNonNull(source, "source");
        if (coresPerExcessRank <= 0) {
            throw new IllegalArgumentException("cores per excess rank must be positive, got " + coresPerExcessRank);
        }
        if (pollEvery == null || pollEvery.isNegative() || pollEvery.isZero()) {
            throw new IllegalArgumentException("the capacity poll interval must be positive, got " + pollEvery);
        }
    }

    /** Excess ranks {@code idleCores} allow when each stands for {@code coresPerExcessRank}, at most {@code excessRanks}. */
    public static int allowedRanks(int idleCores, int coresPerExcessRank, int excessRanks) {
        return Math.min(excessRanks, idleCores / coresPerExcessRank);
    }
}
