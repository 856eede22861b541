package io.shatter.broker;

import io.shatter.Priority;
import io.shatter.graph.Lifecycle;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

/**
 * One schedulable unit: a plain or resumable shard, or a run of blocks of a range shard. Owns the
 * unit's {@link Lifecycle} (state and attempt number). Belongs to the broker's event loop.
 */
final class Task implements Candidate, AttemptView {
    final int id;
    final ShardSpec spec;
    final int blockFrom;
    final int blockTo;
    final Lifecycle lifecycle;
    final String name;
    private final Scheduler scheduler;

    int rank = -1;
    int indexOnRank = -1;
    long assignedAt;
    int failures;
    int avoidRank = -1;
    boolean preemptRequested;
    /** The CRITICAL task waiting for this one to yield, if any. */
    Task preemptedFor;
    long checkpointStep = -1;
    long checkpointAt;
    /** A checkpoint of this task is being written on the IO thread. */
    boolean savingCheckpoint;
    /** The newest state that arrived meanwhile, written next (older waiting states are dropped). */
    CheckpointSave nextCheckpoint;
    /** Set once the shard committed: states of it still waiting to be written are skipped. */
    volatile boolean stateObsolete;
    /** Requeue once those writes are durable (it was preempted, revoked or lost meanwhile). */
    boolean requeueWhenDurable;
    /** When the broker asked it to yield (for the preemption-latency figure), 0 if not asked. */
    long preemptRequestedAt;
    String lastError;
    /** On a primary attempt: its running shadow, if any. */
    Task shadow;
    /** On a shadow: the primary attempt it races; null once it carries the shard alone. */
    Task primary;

    Task(int id, ShardSpec spec, int blockFrom, int blockTo, Scheduler scheduler) {
        this.id = id;
        this.spec = spec;
        this.blockFrom = blockFrom;
        this.blockTo = blockTo;
        this.scheduler = scheduler;
        this.name = spec.kind() == ShardKind.RANGE && (blockFrom != 0 || blockTo != spec.blockCount())
                ? spec.id() + "[" + spec.blockStart(blockFrom) + "," + spec.blockEnd(blockTo - 1) + ")"
                : spec.id();
        this.lifecycle = new Lifecycle(name);
    }

    /** A state on its way to the checkpoint store. */
    record CheckpointSave(int attempt, long step, byte[] state, long takenAt) {
    }

    boolean isShadow() {
        return primary != null;
    }

    /** The other attempt of a shadow pair, or null. */
    Task partner() {
        return primary != null ? primary : shadow;
    }

    @Override
    public ShardSpec spec() {
        return spec;
    }

    @Override
    public int avoidRank() {
        return avoidRank;
    }

    @Override
    public long inputBytesMissingOn(int rank) {
        return scheduler.inputBytesMissingOn(spec, rank);
    }

    @Override
    public Priority priority() {
        return spec.priority();
    }

    @Override
    public boolean isResumable() {
        return spec.kind() != ShardKind.PLAIN;
    }

    @Override
    public int heldCores() {
        return spec.cores();
    }

    @Override
    public long assignedAtNanos() {
        return assignedAt;
    }

    @Override
    public boolean isPreemptRequested() {
        return preemptRequested;
    }

    @Override
    public String toString() {
        return lifecycle.toString();
    }
}
