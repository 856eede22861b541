package io.shatter.graph;

/** How a shard's work is expressed, which decides how it is split, checkpointed and resumed. */
public enum ShardKind {
    /** One function call; restarts from scratch if interrupted. */
    PLAIN,
    /** Explicit state and steps; resumes from its last checkpoint. */
    RESUMABLE,
    /** An index range split into blocks by the broker, partial results reduced in index order. */
    RANGE
}
