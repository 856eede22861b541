package io.shatter.broker.policy;

import io.shatter.CapacityClass;
import io.shatter.spi.CapacityForecaster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The ranks and the forecast, as a placement policy sees them. */
public interface ClusterView {

    /** Every worker rank, joined or not, in rank order. */
    List<? extends RankView> ranks();

    /**
     * Active ranks of class {@code capacityClass} that can take at least one more attempt now
     * ({@link RankView#freeUnits()} above zero), in rank order, at most {@code limit} of them. The
     * broker answers from an index, so this costs the same at 16 ranks as at 10,000.
     */
    default List<? extends RankView> ranksWithRoom(CapacityClass capacityClass, int limit) {
        List<RankView> found = new ArrayList<>();
        for (RankView r : ranks()) {
            if (found.size() >= limit) {
                break;
            }
            if (r.capacityClass() == capacityClass && r.isActive() && r.freeUnits() > 0) {
                found.add(r);
            }
        }
        return found;
    }

    /** The rank numbered {@code rank}. */
    default RankView rank(int rank) {
        return ranks().get(rank - 1);
    }

    /**
     * Idle cores of the excess partition that an excess rank stands for, the unit of the
     * forecaster's per-slot question: the rank's own cores, unless the run maps each excess rank to
     * a number of the partition's cores ({@link io.shatter.ExcessCapacityFeed#coresPerExcessRank}).
     */
    default int partitionCoresOf(RankView excessRank) {
        return excessRank.cores();
    }

    /**
     * Idle cores the excess partition must keep for {@code excessRank} to survive: its own and
     * those of every live excess rank below it, since the site revokes the highest-numbered live
     * excess ranks first ({@link io.shatter.ExcessCapacityFeed}). What the forecaster's per-slot
     * question asks about.
     */
    default double excessCoresToKeep(RankView excessRank) {
        double cores = 0;
        for (RankView r : ranks()) {
            if (r.rank() > excessRank.rank()) {
                break; // ranks() is in rank order
            }
            if (r.capacityClass() == CapacityClass.EXCESS && r.isActive()) {
                cores += partitionCoresOf(r);
            }
        }
        return cores;
    }

    /**
     * The odds the forecast gives excess rank {@code excessRank} of outliving a run of {@code run}:
     * the forecaster's per-slot question with {@link #excessCoresToKeep}. The broker answers it once
     * per rank and placement round, however many shards ask.
     */
    default double excessSurvival(RankView excessRank, Duration run) {
        return forecaster().survivalProbability(run, excessCoresToKeep(excessRank));
    }

    /** The capacity forecaster. */
    CapacityForecaster forecaster();

    /** Expected run time of a shard, from recent attempts (0 before any completed). */
    long expectedRunNanos();

    /**
     * How often a resumable shard without its own interval saves its state (the run's default), in
     * nanoseconds; 0 when not known, and then a revoked attempt is taken to lose its whole run.
     */
    default long checkpointEveryNanos() {
        return 0;
    }
}
