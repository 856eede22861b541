package io.shatter.broker.core;

import java.util.List;

/**
 * What the journal records, in the order it happened; replayed through the core's own commit path
 * when a run resumes.
 */
public sealed interface JournalRecord {

    /** Shard {@code shard} committed {@code output}, and with it the shared-state writes of the attempt that made it. */
    record ShardCommitted(int shard, byte[] output, List<SharedWrite> sharedWrites) implements JournalRecord {
        /** A commit that wrote no shared state. */
        public ShardCommitted(int shard, byte[] output) {
            this(shard, output, List.of());
        }
    }

    /**
     * Blocks {@code [blockFrom, blockTo)} of range shard {@code shard} produced {@code output} (a
     * chunk's result), and the chunk's attempt wrote {@code sharedWrites}.
     */
    record ChunkCommitted(int shard, int blockFrom, int blockTo, byte[] output, List<SharedWrite> sharedWrites) implements JournalRecord {
        /** A chunk that wrote no shared state. */
        public ChunkCommitted(int shard, int blockFrom, int blockTo, byte[] output) {
            this(shard, blockFrom, blockTo, output, List.of());
        }
    }

    /** One committed shared-state write: the key's version goes up by one. */
    record SharedWrite(String key, byte[] value) {
    }

    /** A checkpoint of {@code task} at {@code step} became durable (informational). */
    record CheckpointSaved(String task, int attempt, long step) implements JournalRecord {
    }

    /** Every shard committed: the next run in the directory starts afresh. */
    record RunFinished(int shardsCommitted) implements JournalRecord {
    }
}
