package io.shatter.broker.core;

import io.shatter.Priority;
import io.shatter.broker.policy.AttemptView;
import io.shatter.broker.policy.Candidate;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.graph.ShardState;

/**
 * One schedulable unit: a plain or resumable shard, a run of blocks of a range shard, or a range
 * shard's generator (which is never assigned itself: it carves chunks and stays QUEUED). Its hot
 * state (lifecycle, rank, flags) lives in the {@link TaskTable}'s record for it, read and written through
 * the accessors here; the rest is in this object.
 */
final class Task implements Candidate, AttemptView {
    final int id;
    final ShardSpec spec;
    final int blockFrom;
    final int blockTo;
    final String name;
    /** A range shard's generator: it stays in the ready queue and carves chunks. */
    final boolean generator;
    private final BrokerCore core;
    /** Holds its hot state; generators are not in it (they never run). */
    private final TaskTable table;

    long assignedAt;
    int failures;
    /** The rank its last attempt failed on, if {@link #hasFailedRank}. */
    int failedRank;
    boolean hasFailedRank;
    boolean preemptRequested;
    /** Its last placement waited because of the forecast (for the count of placements it held back). */
    boolean heldByForecast;
    /** The CRITICAL task waiting for this one to yield, if any. */
    private Task preemptedFor;
    long checkpointStep = -1;
    long checkpointAt;
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
    private Task shadow;
    /** On a shadow: the primary attempt it races; null once it carries the shard alone. */
    private Task primary;

    Task(int id, ShardSpec spec, int blockFrom, int blockTo, boolean generator, BrokerCore core, TaskTable table) {
        this.id = id;
        this.spec = spec;
        this.blockFrom = blockFrom;
        this.blockTo = blockTo;
        this.generator = generator;
        this.core = core;
        this.table = table;
        this.name = spec.kind() == ShardKind.RANGE && (blockFrom != 0 || blockTo != spec.blockCount())
                ? spec.id() + "[" + spec.blockStart(blockFrom) + "," + spec.blockEnd(blockTo - 1) + ")"
                : spec.id();
    }

    /** A state waiting for the previous write of the same task. */
    record PendingSave(int attempt, SavedState state, long takenAt) {
    }

    // ---------------------------------------------------------------- the lifecycle, in the table

    /**
     * Whether the table holds it: not a generator, and not retired (its slot may serve another task
     * since). A retired task is over: it is on no rank, runs no attempt, and its state is not kept
     * (retiring it writes nothing to this object, so ending an attempt never reaches it).
     */
    private boolean inTable() {
        return !generator && table.get(id) == this;
    }

    private void requireInTable() {
        if (!inTable()) {
            throw new IllegalStateException(name + (generator ? " is a range shard's generator, which never runs" : " was retired"));
        }
    }

    /** Its state; a generator stays QUEUED. Not for a retired task. */
    ShardState state() {
        if (generator) {
            return ShardState.QUEUED;
        }
        requireInTable();
        return table.state(id);
    }

    /** The current (latest) attempt number; 0 before the first start (and for a generator). Not for a retired task. */
    int attempt() {
        if (generator) {
            return 0;
        }
        requireInTable();
        return table.attempt(id);
    }

    /** QUEUED to RUNNING as the next attempt of its own numbering; returns the number. */
    int startAttempt() {
        return startAttempt(attempt() + 1);
    }

    /** QUEUED to RUNNING as attempt {@code number}, higher than the last (a shadow continues its primary's numbering). */
    int startAttempt(int number) {
        requireInTable();
        table.start(id, number);
        return number;
    }

    /** Moves to {@code target}, or throws if DESIGN.md's lifecycle forbids it (a scheduler bug). */
    void moveTo(ShardState target) {
        requireInTable();
        table.moveTo(id, target);
    }

    /** Whether a message about {@code reportedAttempt} concerns the attempt running now. */
    boolean isCurrent(int reportedAttempt) {
        return inTable() && table.isCurrent(id, reportedAttempt);
    }

    // ---------------------------------------------------------------- where it runs, in the table

    /** The rank it runs on; meaningful only while {@link #isOnRank}. */
    int rank() {
        requireInTable();
        return table.rank(id);
    }

    /** Whether it holds a place on a rank (running, or queued there, or its checkpoint loading for it). */
    boolean isOnRank() {
        return inTable() && table.isOnRank(id);
    }

    /** Puts it on {@code rank}. */
    void placeOn(int rank) {
        requireInTable();
        table.setRank(id, rank);
        table.setOnRank(id, true);
    }

    /** It no longer holds a place on a rank. */
    void leaveRank() {
        requireInTable();
        table.setOnRank(id, false);
    }

    /** Its assignment waits for its checkpoint to load: it cannot be asked to yield yet. */
    boolean isLoading() {
        return inTable() && table.isLoading(id);
    }

    void setLoading(boolean loading) {
        requireInTable();
        table.setLoading(id, loading);
    }

    /** A checkpoint of this task is being written. */
    boolean isSavingCheckpoint() {
        return inTable() && table.isSavingCheckpoint(id);
    }

    void setSavingCheckpoint(boolean saving) {
        requireInTable();
        table.setSavingCheckpoint(id, saving);
    }

    // ---------------------------------------------------------------- links to other tasks

    /** The CRITICAL task waiting for this one to yield (or, on that task, the one it waits for), if any. */
    Task preemptedFor() {
        return preemptedFor;
    }

    void setPreemptedFor(Task other) {
        preemptedFor = other;
        linksChanged();
    }

    /** On a primary attempt: its running shadow, if any. */
    Task shadow() {
        return shadow;
    }

    /** Makes {@code shadow} this primary's shadow. */
    void pairWith(Task shadow) {
        this.shadow = shadow;
        shadow.primary = this;
        linksChanged();
        shadow.linksChanged();
    }

    /** Ends the pairing of this task and its partner. */
    void unpair() {
        Task partner = partner();
        shadow = null;
        primary = null;
        linksChanged();
        if (partner != null) {
            partner.shadow = null;
            partner.primary = null;
            partner.linksChanged();
        }
    }

    /** Tells the table whether ending this task must look at its links (so that most ends never touch this object). */
    private void linksChanged() {
        if (inTable()) {
            table.setLinked(id, preemptedFor != null || shadow != null || primary != null);
        }
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
        return preemptRequested || isLoading();
    }

    @Override
    public String toString() {
        return inTable() || generator ? name + "#" + attempt() + ":" + state() : name + " (retired)";
    }
}
