package io.shatter.broker;

import io.shatter.graph.ShardSpec;

/** A ready shard (or range chunk) as a placement policy sees it. */
public interface Candidate {

    /** The shard. */
    ShardSpec spec();

    /** Cores it needs. */
    default int cores() {
        return spec().cores();
    }

    /** A rank to avoid (the one its last attempt failed on), or -1. */
    int avoidRank();

    /** Bytes of its inputs that would have to be sent to {@code rank} (zero if the rank holds them all). */
    long inputBytesMissingOn(int rank);
}
