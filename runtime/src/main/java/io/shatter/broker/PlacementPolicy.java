package io.shatter.broker;

/**
 * Decides where a ready shard runs: on a rank, by preempting an attempt, or not yet. Called by the
 * broker's event loop only, so implementations keep no locks; they must be fast (they run once per
 * shard placed) and must not change the views they are given.
 */
public interface PlacementPolicy {

    /** Where {@code candidate} should run now, given the ranks in {@code cluster}. */
    Placement place(Candidate candidate, ClusterView cluster);

    /**
     * Where a shadow (second) attempt of {@code candidate}, whose first attempt runs on
     * {@code primaryRank}, should start now, or -1 for nowhere. Shadows only take free cores.
     */
    default int shadowRank(Candidate candidate, ClusterView cluster, int primaryRank) {
        return -1;
    }
}
