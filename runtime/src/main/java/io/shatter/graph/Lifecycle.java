package io.shatter.graph;

/**
 * The state and attempt number of one schedulable unit (a shard, or a chunk of a range shard).
 * The only way to change the state is {@link #moveTo}, which enforces {@link ShardState}'s rules,
 * and the only way to start an attempt is {@link #start}, which numbers it: a result carrying any
 * other attempt number is stale and is dropped (attempt fencing).
 */
public final class Lifecycle {
    private final String name;
    private ShardState state = ShardState.QUEUED;
    private int attempt;

    /** A new lifecycle, QUEUED with no attempt yet; {@code name} is used in error messages. */
    public Lifecycle(String name) {
        this.name = name;
    }

    /** The current state. */
    public ShardState state() {
        return state;
    }

    /** The current (latest) attempt number; 0 before the first start. */
    public int attempt() {
        return attempt;
    }

    /** QUEUED to RUNNING as a new attempt; returns its number. */
    public int start() {
        moveTo(ShardState.RUNNING);
        return ++attempt;
    }

    /**
     * Starts attempt number {@code number}, which must be higher than the last: used when several
     * units share one shard's numbering (a shadow and its primary), so that every attempt of a shard
     * has its own number.
     */
    public int start(int number) {
        if (number <= attempt) {
            throw new IllegalStateException(name + ": attempt " + number + " does not follow attempt " + attempt);
        }
        moveTo(ShardState.RUNNING);
        attempt = number;
        return attempt;
    }

    /** Whether a message about {@code reportedAttempt} concerns the attempt running now. */
    public boolean isCurrent(int reportedAttempt) {
        return state == ShardState.RUNNING && reportedAttempt == attempt;
    }

    /** Moves to {@code target}, or throws if DESIGN.md's lifecycle forbids it (a scheduler bug). */
    public void moveTo(ShardState target) {
        if (!state.canMoveTo(target)) {
            throw new IllegalStateException(name + ": illegal transition " + state + " -> " + target + " (attempt " + attempt + ")");
        }
        state = target;
    }

    @Override
    public String toString() {
        return name + "#" + attempt + ":" + state;
    }
}
