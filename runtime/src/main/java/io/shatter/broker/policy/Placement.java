package io.shatter.broker.policy;

/** A policy's answer: run on a rank, preempt an attempt to make room, or wait. */
public sealed interface Placement {

    /** Run on {@code rank}. */
    record Run(int rank) implements Placement {
    }

    /** Preempt {@code victim} on {@code rank}; the candidate runs there once the victim has yielded. */
    record Preempt(int rank, AttemptView victim) implements Placement {
    }

    /**
     * Nothing fits now; try again when capacity changes. {@code heldByForecast}: an excess rank had
     * room, but the forecast gave it too low odds of outliving the shard.
     */
    record Wait(boolean heldByForecast) implements Placement {
    }

    /** Nothing fits now. */
    Placement WAIT = new Wait(false);

    /** Excess room was there, but the forecast said no. */
    Placement HELD_BY_FORECAST = new Wait(true);

    /** Run on {@code rank}. */
    static Placement on(int rank) {
        return new Run(rank);
    }

    /** Preempt {@code victim} on {@code rank}. */
    static Placement preempt(int rank, AttemptView victim) {
        return new Preempt(rank, victim);
    }
}
