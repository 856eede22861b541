package io.shatter.observe;

import java.util.Locale;

/** How an attempt ended. */
public enum Outcome {
    /** It committed its output (or a shadow's partner did). */
    COMPLETED,
    /** Its body threw; it may be retried. */
    FAILED,
    /** It gave its slot back at a safepoint (preempted for a CRITICAL shard, or its rank revoked) with its state. */
    PREEMPTED,
    /** Its rank was lost (or its grace ran out) before it reported: the work since its last checkpoint is lost. */
    LOST,
    /** The broker no longer wanted it (its shadow partner won, or the run stopped). */
    CANCELLED;

    /** The lower-case name used in traces and reports. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
