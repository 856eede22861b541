package io.shatter.broker;

/**
 * A policy's answer: run on a rank, preempt an attempt to make room, or wait.
 *
 * @param rank   the rank to run on (or whose attempt to preempt); -1 when waiting
 * @param victim the attempt to preempt, or null
 */
public record Placement(int rank, AttemptView victim) {
    /** Nothing fits now; try again when capacity changes. */
    public static final Placement WAIT = new Placement(-1, null);

    /** Run on {@code rank}. */
    public static Placement on(int rank) {
        return new Placement(rank, null);
    }

    /** Preempt {@code victim} on {@code rank}; the candidate runs there once the victim has yielded. */
    public static Placement preempt(int rank, AttemptView victim) {
        return new Placement(rank, victim);
    }

    /** Whether the answer is to wait. */
    public boolean isWait() {
        return rank < 0;
    }

    /** Whether the answer is a preemption. */
    public boolean isPreemption() {
        return victim != null;
    }
}
