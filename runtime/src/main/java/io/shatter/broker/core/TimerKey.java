package io.shatter.broker.core;

/**
 * What a core timer was armed for. A timer that finds the world changed since (the rank rejoined
 * and was revoked again: another epoch) does nothing, so a stale timer can never cut a later grace
 * short.
 */
sealed interface TimerKey {

    /** The grace of revocation number {@code epoch} of {@code rank} is over. */
    record GraceOver(int rank, int epoch) implements TimerKey {
    }

    /** Every rank should have said hello by now. */
    record JoinDeadline() implements TimerKey {
    }
}
