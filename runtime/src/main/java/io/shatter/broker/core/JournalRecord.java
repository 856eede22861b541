package io.shatter.broker.core;

/**
 * What the journal records, in the order it happened; replayed through the core's own commit path
 * when a run resumes.
 */
public sealed interface JournalRecord {

    /** Shard {@code shard} committed {@code output}. */
    record ShardCommitted(int shard, byte[] output) implements JournalRecord {
    }

    /** Blocks {@code [blockFrom, blockTo)} of range shard {@code shard} produced {@code output} (a chunk's result). */
    record ChunkCommitted(int shard, int blockFrom, int blockTo, byte[] output) implements JournalRecord {
    }

    /** A checkpoint of {@code task} at {@code step} became durable (informational). */
    record CheckpointSaved(String task, int attempt, long step) implements JournalRecord {
    }

    /** Every shard committed: the next run in the directory starts afresh. */
    record RunFinished(int shardsCommitted) implements JournalRecord {
    }
}
