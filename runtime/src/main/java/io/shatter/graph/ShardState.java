package io.shatter.graph;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a shard's execution (DESIGN.md, "Shard lifecycle"). Every legal move is listed
 * here and the broker core refuses the others (its task table checks every move), so an illegal
 * transition cannot happen silently.
 *
 * <pre>
 * QUEUED -&gt; RUNNING -&gt; COMPLETED
 *                   -&gt; FAILED                  (retry budget spent: the run fails)
 *                   -&gt; QUEUED                  (failed attempt, budget left: retried)
 *           RUNNING -&gt; PREEMPTED -&gt; QUEUED      (state saved at a safepoint, resumes elsewhere)
 *           RUNNING -&gt; LOST      -&gt; QUEUED      (rank vanished: resumes from its last checkpoint)
 *           RUNNING -&gt; CANCELLED                 (the run stopped, or a shadow lost the race)
 * QUEUED -&gt; CANCELLED                            (the run stopped before it started)
 * </pre>
 */
public enum ShardState {
    QUEUED, RUNNING, COMPLETED, FAILED, PREEMPTED, LOST, CANCELLED;

    private Set<ShardState> next;

    static {
        QUEUED.next = EnumSet.of(RUNNING, CANCELLED);
        RUNNING.next = EnumSet.of(COMPLETED, FAILED, QUEUED, PREEMPTED, LOST, CANCELLED);
        PREEMPTED.next = EnumSet.of(QUEUED);
        LOST.next = EnumSet.of(QUEUED);
        COMPLETED.next = EnumSet.noneOf(ShardState.class);
        FAILED.next = EnumSet.noneOf(ShardState.class);
        CANCELLED.next = EnumSet.noneOf(ShardState.class);
    }

    /** Whether a shard in this state may move to {@code target}. */
    public boolean canMoveTo(ShardState target) {
        return next.contains(target);
    }

    /** Whether no move leaves this state. */
    public boolean isFinal() {
        return next.isEmpty();
    }
}
