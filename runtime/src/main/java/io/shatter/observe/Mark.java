package io.shatter.observe;

/**
 * Something that happened to a rank at one instant.
 *
 * @param kind    what
 * @param rank    the worker rank
 * @param atNanos when, from the run's start on the broker's clock
 * @param detail  a few words on why (empty when there is nothing to add)
 */
public record Mark(Kind kind, int rank, long atNanos, String detail) {

    /** What happened. */
    public enum Kind {
        /** The rank's excess capacity is being taken away: its attempts get the grace to save their state. */
        REVOKED,
        /** A running attempt on the rank was asked to yield for a CRITICAL shard. */
        PREEMPTION_REQUESTED,
        /** The rank is gone (revoked and left, grace over, or dead); attempts it had not reported are lost. */
        LOST,
        /** A worker said hello on the rank: it joined, or came back after a revocation. */
        JOINED,
        /** A worker announced it is leaving on its own (its Slurm job got SIGTERM). */
        LEAVING
    }
}
