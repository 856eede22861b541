package io.shatter.broker.policy;

import io.shatter.CapacityClass;
import io.shatter.Priority;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * DESIGN.md's placement rule. A CRITICAL shard takes reserved capacity, preempting the
 * lowest-priority resumable reserved attempt if it must; any other shard takes reserved capacity if
 * it fits, then excess capacity if it fits and the forecast says that slot should outlive the
 * shard (asked per slot: a low slot, revoked last, is safer than the top one), else waits. Spare
 * ranks are left for shadows (see {@link #shadowRank}). Among the ranks of the chosen class, the
 * lowest cost wins: load, plus the cost of moving inputs there, plus capabilities it would waste.
 * How high the odds must be depends on what a revocation would cost ({@link #survivalBar}): the
 * configured bar for a shard that would lose its whole run, lower for a resumable shard that
 * saves its state more often than its run lasts.
 * It looks at a bounded number of ranks (the first with room, and those holding the inputs), so a
 * placement costs the same on 16 ranks as on 10,000.
 */
public final class DefaultPlacementPolicy implements PlacementPolicy {
    /** Input bytes that cost as much as one fully loaded rank: moving 64 MiB ~ a busy core. */
    private static final double BYTES_PER_LOAD_UNIT = 64.0 * 1024 * 1024;
    /** Cost of each capability a rank offers that the shard does not need (keep bigmem nodes for bigmem work). */
    private static final double UNUSED_CAPABILITY_COST = 0.25;
    /** Cost of going back to the rank the last attempt failed on. */
    private static final double FAILED_RANK_COST = 100;
    /**
     * Ranks with room looked at per class and placement, besides those holding the shard's inputs:
     * enough to balance load, few enough that placing costs the same at 10,000 ranks as at 16.
     */
    static final int RANKS_LOOKED_AT = 16;
    /** Ranks holding the shard's inputs looked at per placement. */
    private static final int HOLDERS_LOOKED_AT = 8;

    /**
     * The odds an excess slot must have of outliving a shard that would lose its whole run if the
     * slot were revoked, by default. Persistence answers only 0 or 1, so it matters only with a
     * forecaster that answers odds (the default one does); 0.9 is the lowest bar of a sweep (0.5 to
     * 0.95) at which the trace-driven run lost at least 30% less work on both logs it was swept on
     * (predictor/README.md has the sweep).
     */
    public static final double DEFAULT_MINIMUM_SURVIVAL = 0.9;

    private final double minimumSurvival;

    /** A policy that uses excess capacity when the forecast gives a slot {@link #DEFAULT_MINIMUM_SURVIVAL} odds of outliving the shard. */
    public DefaultPlacementPolicy() {
        this(DEFAULT_MINIMUM_SURVIVAL);
    }

    /** A policy with its own survival bar for shards that would lose their whole run (see {@link #survivalBar}). */
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
        return safeExcess(candidate, cluster);
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
    private Placement safeExcess(Candidate candidate, ClusterView cluster) {
        Duration run = Duration.ofNanos(cluster.expectedRunNanos());
        double bar = survivalBar(candidate, cluster);
        int best = -1;
        double bestCost = Double.MAX_VALUE;
        double bestSurvival = 0;
        boolean heldByForecast = false;
        for (RankView r : candidates(candidate, cluster, CapacityClass.EXCESS)) {
            if (!fits(candidate, r)) {
                continue;
            }
            double survival = cluster.excessSurvival(r, run);
            if (survival < bar) {
                heldByForecast = true;
                continue;
            }
            double cost = cost(candidate, r);
            if (cost < bestCost || (cost == bestCost && survival > bestSurvival)) {
                best = r.rank();
                bestCost = cost;
                bestSurvival = survival;
            }
        }
        return best >= 0 ? Placement.on(best) : heldByForecast ? Placement.HELD_BY_FORECAST : Placement.WAIT;
    }

    /**
     * The odds an excess slot must give {@code candidate} of outliving it: an expected-value rule. The
     * configured bar {@code b} is what a shard that would lose its whole run must get, so it says
     * that a second of work lost weighs {@code w = b / (1 - b)} seconds of work done on excess
     * capacity (9 at 0.9). A slot is worth taking when {@code p * run >= (1 - p) * w * atRisk}, where
     * {@code atRisk} is the work a revocation would lose: the whole expected run for plain and range
     * shards, at most one checkpoint interval for a resumable shard. So {@code p >= w r / (1 + w r)}
     * with {@code r = atRisk / run}: the configured bar when {@code r = 1}, lower when the shard
     * saves its state more often than its run lasts (0.5 at 0.9 for a checkpoint every ninth of the
     * run). Before any shard has completed the run length is unknown and the configured bar holds.
     */
    double survivalBar(Candidate candidate, ClusterView cluster) {
        long run = cluster.expectedRunNanos();
        if (candidate.spec().kind() != io.shatter.graph.ShardKind.RESUMABLE || run <= 0 || minimumSurvival >= 1) {
            return minimumSurvival;
        }
        Duration own = candidate.spec().checkpointEvery();
        long every = own != null ? own.toNanos() : cluster.checkpointEveryNanos();
        if (every <= 0 || every >= run) {
            return minimumSurvival;
        }
        double weight = minimumSurvival / (1 - minimumSurvival) * every / run;
        return weight / (1 + weight);
    }

    /**
     * The ranks of a class worth looking at: the first {@link #RANKS_LOOKED_AT} with room, in rank
     * order, plus those of the class that hold the shard's inputs (moving nothing is cheapest).
     */
    private static List<? extends RankView> candidates(Candidate candidate, ClusterView cluster, CapacityClass wanted) {
        List<? extends RankView> withRoom = cluster.ranksWithRoom(wanted, RANKS_LOOKED_AT);
        int[] holders = candidate.ranksHoldingInputs(HOLDERS_LOOKED_AT);
        if (holders.length == 0) {
            return withRoom;
        }
        List<RankView> found = new ArrayList<>(withRoom);
        for (int holder : holders) {
            RankView r = cluster.rank(holder);
            if (r.capacityClass() == wanted && r.isActive() && r.freeUnits() > 0 && !found.contains(r)) {
                found.add(r);
            }
        }
        return found;
    }

    /** Spare capacity first (kept for this), else excess; never the primary's own rank, never a queue slot. */
    @Override
    public OptionalInt shadowRank(Candidate candidate, ClusterView cluster, int primaryRank) {
        for (CapacityClass wanted : new CapacityClass[] {CapacityClass.SPARE, CapacityClass.EXCESS}) {
            int best = -1;
            double bestLoad = Double.MAX_VALUE;
            for (RankView r : cluster.ranksWithRoom(wanted, RANKS_LOOKED_AT)) {
                if (r.rank() != primaryRank && r.freeCores() >= candidate.cores()
                        && r.capabilities().containsAll(candidate.spec().capabilities()) && r.load() < bestLoad) {
                    bestLoad = r.load();
                    best = r.rank();
                }
            }
            if (best >= 0) {
                return OptionalInt.of(best);
            }
        }
        return OptionalInt.empty();
    }

    private static int cheapest(Candidate candidate, ClusterView cluster, CapacityClass wanted) {
        int best = -1;
        double bestCost = Double.MAX_VALUE;
        for (RankView r : candidates(candidate, cluster, wanted)) {
            if (!fits(candidate, r)) {
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
                + (candidate.failedOn(r.rank()) ? FAILED_RANK_COST : 0);
    }

    /**
     * The lowest-priority resumable attempt on a reserved rank that would make room; the newest if
     * tied (least work to save). Scans the reserved ranks: only CRITICAL shards finding no free
     * reserved core come here.
     */
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
