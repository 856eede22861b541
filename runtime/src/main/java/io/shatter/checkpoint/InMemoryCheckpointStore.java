package io.shatter.checkpoint;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints held in the broker's memory: survives preemption, revocation and lost ranks, but
 * not the loss of the broker itself. The default when no checkpoint directory is given.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final Map<String, Checkpoint> latest = new HashMap<>();
    private long bytesWritten;

    @Override
    public synchronized void save(String graphId, String shardId, int attempt, long step, byte[] state) {
        latest.put(graphId + '/' + shardId, new Checkpoint(shardId, attempt, step, state));
        bytesWritten += state.length;
    }

    @Override
    public synchronized Optional<Checkpoint> latest(String graphId, String shardId) {
        return Optional.ofNullable(latest.get(graphId + '/' + shardId));
    }

    @Override
    public synchronized void discard(String graphId, String shardId) {
        latest.remove(graphId + '/' + shardId);
    }

    @Override
    public synchronized long bytesWritten() {
        return bytesWritten;
    }
}
