package io.shatter.broker.core;

import io.shatter.Priority;
import io.shatter.broker.policy.AttemptView;
import io.shatter.broker.policy.Candidate;
import io.shatter.graph.Lifecycle;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;



/**
 * One schedulable unit: a plain or resumable shard, a run of blocks of a range shard, or a range
 * shard's generator (which is never assigned itself: it carves chunks). Owns the unit's
 * {@link Lifecycle} (state and attempt number).
 */
final class Task implements Candidate, AttemptView {
    final int id;
    final ShardSpec spec;
    final int blockFrom;
    final int blockTo;
    final Lifecycle lifecycle;
    final String name;
    /** A range shard's generator: it stays in the ready queue and carves chunks. */
    final boolean generator;
    private final BrokerCore core;

    /** The rank it runs on; meaningful only while {@link #onRank}. */
    int rank;
    boolean onRank;
    int indexOnRank = -1;
    long assignedAt;
    int failures;
    /** The rank its last attempt failed on, if {@link #hasFailedRank}. */
    int failedRank;
    boolean hasFailedRank;
    boolean preemptRequested;
    /** Its last placement waited because of the forecast (for the count of placements it held back). */
    boolean heldByForecast;
    /** Its assignment waits for its checkpoint to load: it cannot be asked to yield yet. */
    boolean loading;
    /** The CRITICAL task waiting for this one to yield, if any. */
    Task preemptedFor;
    long checkpointStep = -1;
    long checkpointAt;
    /** A checkpoint of this task is being written. */
    boolean savingCheckpoint;
    /** When the state being written was taken. */
    long savingTakenAt;
    /** The newest state that arrived meanwhile, written next (older waiting states are dropped). */
    PendingSave nextCheckpoint;
    /** Requeue once those writes are durable (it was preempted, revoked or lost meanwhile). */
    boolean requeueWhenDurable;
    /** When the broker asked it to yield (for the preemption-latency figure), if {@link #preemptRequested}. */
    long preemptRequestedAt;
    boolean preemptLatencyOpen;
    /** On a primary attempt: its running shadow, if any. */
    Task shadow;
    /** On a shadow: the primary attempt it races; null once it carries the shard alone. */
    Task primary;

    Task(int id, ShardSpec spec, int blockFrom, int blockTo, boolean generator, BrokerCore core) {
        this.id = id;
        this.spec = spec;
        this.blockFrom = blockFrom;
        this.blockTo = blockTo;
        this.generator = generator;
        this.core = core;
        this.name = spec.kind() == ShardKind.RANGE && (blockFrom != 0 || blockTo != spec.blockCount())
                ? spec.id() + "[" + spec.blockStart(blockFrom) + "," + spec.blockEnd(blockTo - 1) + ")"
                : spec.id();
        this.lifecycle = new Lifecycle(name);
    }

    /** A state waiting for the previous write of the same task. */
    record PendingSave(int attempt, SavedState state, long takenAt) {
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
    public boolean failedOn(int rank) {
        return hasFailedRank && failedRank == rank;
    }

    @Override
    public long inputBytesMissingOn(int rank) {
        return core.inputBytesMissingOn(spec, rank);
    }

    @Override
    public int[] ranksHoldingInputs(int limit) {
        return core.ranksHoldingInputs(spec, limit);
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
        return preemptRequested || loading;
    }

    @Override
    public String toString() {
        return lifecycle.toString();
    }
}
