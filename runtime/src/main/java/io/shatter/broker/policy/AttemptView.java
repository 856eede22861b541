package io.shatter.broker.policy;

import io.shatter.Priority;

/** A running attempt as a placement policy sees it, to choose what to preempt. */
public interface AttemptView {

    /** The shard's priority. */
    Priority priority();

    /** Whether it can save its state at a safepoint (plain shards cannot be stopped mid-call). */
    boolean isResumable();

    /** Cores it holds. */
    int heldCores();

    /** When it was handed to its rank, on the broker's clock. */
    long assignedAtNanos();

    /** Whether a preemption was already asked of it, or it cannot yield yet (its assignment is still on its way). */
    boolean isPreemptRequested();
}
