package io.shatter.checkpoint;

import java.io.IOException;
import java.util.Collection;
import java.util.Optional;

/**
 * Keeps the latest saved state of each resumable shard so that a preempted, revoked or failed
 * attempt resumes where it left off instead of starting again.
 *
 * <p>Saving is durable when {@link #save} returns: a store that writes files writes them to a
 * temporary name and renames them atomically. A corrupt or partial checkpoint is never returned
 * by {@link #latest}: the store falls back to the previous good one (or to none).
 */
public interface CheckpointStore extends AutoCloseable {

    /**
     * Saves {@code state} for the shard; a newer save replaces older ones.
     *
     * @param graphId the graph's fingerprint, so a checkpoint is never applied to a different graph
     * @param shardId the shard's stable id (for range shards, the id of the chunk)
     * @param attempt the attempt that produced the state
     * @param step    how many steps the state has completed
     * @param state   the encoded state
     */
    void save(String graphId, String shardId, int attempt, long step, byte[] state) throws IOException;

    /** The latest good checkpoint of the shard, if any. */
    Optional<Checkpoint> latest(String graphId, String shardId) throws IOException;

    /** Forgets the shard's checkpoints. */
    void discard(String graphId, String shardId) throws IOException;

    /**
     * Forgets the checkpoints of all these shards (called when a fresh run of the graph starts).
     * Stores that can do it in one pass over their files should.
     */
    default void discardAll(String graphId, Collection<String> shardIds) throws IOException {
        for (String shardId : shardIds) {
            discard(graphId, shardId);
        }
    }

    /** Bytes of checkpoint data written so far. */
    long bytesWritten();

    @Override
    default void close() throws IOException {
    }

    /**
     * A saved state.
     *
     * @param shardId the shard's stable id
     * @param attempt the attempt that saved it
     * @param step    steps completed when it was saved
     * @param state   the encoded state
     */
    record Checkpoint(String shardId, int attempt, long step, byte[] state) {
    }
}
