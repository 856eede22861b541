package io.shatter.broker;

import io.shatter.CapacityClass;
import io.shatter.Priority;

import java.time.Duration;

/**
 * DESIGN.md's placement rule. A CRITICAL shard takes reserved capacity, preempting the
 * lowest-priority resumable reserved attempt if it must; any other shard takes reserved capacity if
 * it fits, then excess capacity if it fits and the forecast says that slot should outlive the
 * shard (asked per slot: a low slot, revoked last, is safer than the top one), else waits. Spare
 * ranks are left for shadows (see {@link #shadowRank}). Among the ranks of the chosen class, the
 * lowest cost wins: load, plus the cost of moving inputs there, plus capabilities it would waste.
 */
public final class DefaultPlacementPolicy implements PlacementPolicy {
    /** Input bytes that cost as much as one fully loaded rank: moving 64 MiB ~ a busy core. */
    private static final double BYTES_PER_LOAD_UNIT = 64.0 * 1024 * 1024;
    /** Cost of each capability a rank offers that the shard does not need (keep bigmem nodes for bigmem work). */
    private static final double UNUSED_CAPABILITY_COST = 0.25;
    /** Cost of going back to the rank the last attempt failed on. */
    private static final double FAILED_RANK_COST = 100;

    /**
     * The odds an excess slot must have of outliving the shard, by default. Without a model the
     * forecaster (persistence) answers only 0 or 1, so this matters only with one; 0.9 is the
     * lowest bar of a sweep (0.5 to 0.95) at which the trace-driven run lost at least 30% less work
     * on both logs it was swept on (predictor/README.md has the sweep).
     */
    public static final double DEFAULT_MINIMUM_SURVIVAL = 0.9;

    private final double minimumSurvival;

    /** A policy that uses excess capacity when the forecast gives a slot {@link #DEFAULT_MINIMUM_SURVIVAL} odds of outliving the shard. */
    public DefaultPlacementPolicy() {
        this(DEFAULT_MINIMUM_SURVIVAL);
    }

    /** A policy with its own threshold for the excess-slot survival probability. */
    public DefaultPlacementPolicy(double minimumSurvival) {
        this.minimumSurvival = minimumSurvival;
    }

    @Override
    public Placement place(Candidate candidate, ClusterView cluster) {
        int reserved = cheapest(candidate, cluster, CapacityClass.RESERVED);
        if (reserved >= 0) {
            return Placement.on(reserved);
        }
        if (candidate.spec().priority() == Priority.CRITICAL) {
            Placement preemption = preemption(candidate, cluster);
            if (preemption != null) {
                return preemption;
            }
        }
        int excess = safeExcess(candidate, cluster);
        return excess >= 0 ? Placement.on(excess) : Placement.WAIT;
    }

    /**
     * The cheapest excess rank the shard fits on whose slot the forecast gives at least the bar's
     * odds of outliving the shard (ties go to the safer slot); -1 if none. The question is asked
     * per slot because slots are not equally at risk: the site revokes the highest-numbered live
     * excess ranks first ({@link io.shatter.ExcessCapacityFeed}), so a rank survives as long as
     * the partition keeps idle cores for it and for every live excess rank below it. Join slots
     * (excess workers that a batch system such as Slurm may preempt) are assumed to go in the same
     * order: the batch system does not tell which job it will preempt, and the highest ranks are
     * the ones the broker fills last.
     */
    private int safeExcess(Candidate candidate, ClusterView cluster) {
        Duration run = Duration.ofNanos(cluster.expectedRunNanos());
        int best = -1;
        double bestCost = Double.MAX_VALUE;
        double bestSurvival = 0;
        double coresUpToHere = 0;
        // ClusterView.excessCoresToKeep, summed as the loop goes (rank order) instead of once per rank: this is the hot path.
        for (RankView r : cluster.ranks()) {
            if (r.capacityClass() != CapacityClass.EXCESS || !r.isActive()) {
                continue;
            }
            coresUpToHere += cluster.partitionCoresOf(r);
            if (!fits(candidate, r)) {
                continue;
            }
            double survival = cluster.forecaster().survivalProbability(run, coresUpToHere);
            double cost = cost(candidate, r);
            if (survival >= minimumSurvival && (cost < bestCost || (cost == bestCost && survival > bestSurvival))) {
                best = r.rank();
                bestCost = cost;
                bestSurvival = survival;
            }
        }
        return best;
    }

    /** Spare capacity first (kept for this), else excess; never the primary's own rank, never a queue slot. */
    @Override
    public int shadowRank(Candidate candidate, ClusterView cluster, int primaryRank) {
        for (CapacityClass wanted : new CapacityClass[] {CapacityClass.SPARE, CapacityClass.EXCESS}) {
            int best = -1;
            double bestLoad = Double.MAX_VALUE;
            for (RankView r : cluster.ranks()) {
                if (r.capacityClass() == wanted && r.isActive() && r.rank() != primaryRank && r.freeCores() >= candidate.cores()
                        && r.capabilities().containsAll(candidate.spec().capabilities()) && r.load() < bestLoad) {
                    bestLoad = r.load();
                    best = r.rank();
                }
            }
            if (best >= 0) {
                return best;
            }
        }
        return -1;
    }

    private static int cheapest(Candidate candidate, ClusterView cluster, CapacityClass wanted) {
        int best = -1;
        double bestCost = Double.MAX_VALUE;
        for (RankView r : cluster.ranks()) {
            if (r.capacityClass() != wanted || !r.isActive() || !fits(candidate, r)) {
                continue;
            }
            double cost = cost(candidate, r);
            if (cost < bestCost) {
                bestCost = cost;
                best = r.rank();
            }
        }
        return best;
    }

    /** Whether the shard could go to active rank {@code r} now. */
    private static boolean fits(Candidate candidate, RankView r) {
        // CRITICAL work must start now, so it takes only a free core, never a place in a rank's queue.
        int room = candidate.spec().priority() == Priority.CRITICAL ? r.freeCores() : r.freeUnits();
        return room >= candidate.cores() && r.cores() >= candidate.cores()
                && r.capabilities().containsAll(candidate.spec().capabilities());
    }

    /** Load, plus the cost of moving inputs there, plus capabilities it would waste, plus going back to a failed rank. */
    private static double cost(Candidate candidate, RankView r) {
        return r.load()
                + candidate.inputBytesMissingOn(r.rank()) / BYTES_PER_LOAD_UNIT
                + UNUSED_CAPABILITY_COST * (r.capabilities().size() - candidate.spec().capabilities().size())
                + (r.rank() == candidate.avoidRank() ? FAILED_RANK_COST : 0);
    }

    /** The lowest-priority resumable attempt on a reserved rank that would make room; the newest if tied (least work to save). */
    private static Placement preemption(Candidate candidate, ClusterView cluster) {
        RankView bestRank = null;
        AttemptView bestVictim = null;
        for (RankView r : cluster.ranks()) {
            if (r.capacityClass() != CapacityClass.RESERVED || !r.isActive() || r.cores() < candidate.cores()
                    || !r.capabilities().containsAll(candidate.spec().capabilities())) {
                continue;
            }
            for (AttemptView a : r.attempts()) {
                if (a.priority() == Priority.CRITICAL || !a.isResumable() || a.isPreemptRequested()
                        || r.freeCores() + a.heldCores() < candidate.cores()) {
                    continue;
                }
                if (bestVictim == null || a.priority().compareTo(bestVictim.priority()) > 0
                        || (a.priority() == bestVictim.priority() && a.assignedAtNanos() > bestVictim.assignedAtNanos())) {
                    bestVictim = a;
                    bestRank = r;
                }
            }
        }
        return bestVictim == null ? null : Placement.preempt(bestRank.rank(), bestVictim);
    }
}
