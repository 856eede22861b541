package io.shatter.broker;

/**
 * Decides where a ready shard runs: on a rank, by preempting an attempt, or not yet. Called by the
 * broker's event loop only, so implementations keep no locks; they must be fast (they run once per
 * shard placed) and must not change the views they are given.
 */
public interface PlacementPolicy {

    /** Where {@code candidate} should run now, given the ranks in {@code cluster}. */
    Placement place(Candidate candidate, ClusterView cluster);
}
