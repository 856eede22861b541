package io.shatter.broker.policy;

import java.util.OptionalInt;

/**
 * Decides where a ready shard runs: on a rank, by preempting an attempt, or not yet. Called by the
 * broker core only, on its one thread, so implementations keep no locks; they must be fast (they run
 * once per shard placed, so their cost should not grow with the rank count: ask
 * {@link ClusterView#ranksWithRoom} rather than scanning every rank) and must not change the views
 * they are given. A {@link Placement.Wait} must follow from the shard's priority, cores,
 * capabilities and inputs and from the cluster alone: within one placement round the core does not
 * ask again for a shard without inputs that is alike in those to one told to wait (it would look at
 * the same ranks, with less room).
 */
public interface PlacementPolicy {

    /** Where {@code candidate} should run now, given the ranks in {@code cluster}. */
    Placement place(Candidate candidate, ClusterView cluster);

    /**
     * Where a shadow (second) attempt of {@code candidate}, whose first attempt runs on
     * {@code primaryRank}, should start now, if anywhere. Shadows only take free cores.
     */
    default OptionalInt shadowRank(Candidate candidate, ClusterView cluster, int primaryRank) {
        return OptionalInt.empty();
    }
}
