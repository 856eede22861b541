package io.shatter.broker.policy;

import io.shatter.graph.ShardSpec;

/** A ready shard (or range chunk) as a placement policy sees it. */
public interface Candidate {

    /** The shard. */
    ShardSpec spec();

    /** Cores it needs. */
    default int cores() {
        return spec().cores();
    }

    /** Whether its last attempt failed on {@code rank} (go elsewhere if possible). */
    boolean failedOn(int rank);

    /** Bytes of its inputs that would have to be sent to {@code rank} (zero if the rank holds them all). */
    long inputBytesMissingOn(int rank);

    /** Ranks that already hold at least one of its inputs, at most {@code limit}, in rank order (cheap to move there). */
    default int[] ranksHoldingInputs(int limit) {
        return new int[0];
    }
}
