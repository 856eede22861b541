package io.shatter.observe;

import io.shatter.CapacityClass;
import io.shatter.Priority;

/**
 * One attempt on one core lane, in nanoseconds from the run's start on the broker's clock.
 *
 * @param rank          the worker rank
 * @param capacityClass its capacity class
 * @param lane          the worker's lane (0 to cores-1) that ran it; negative for an attempt the
 *                      worker never reported (lost or cancelled), drawn on the rank's
 *                      "unreported" tracks -1, -2, ... so that no two of them overlap
 * @param shard         the shard (or range chunk) id; shadows end in {@code " (shadow)"}
 * @param priority      the shard's priority
 * @param attempt       the attempt number
 * @param startNanos    start
 * @param endNanos      end (at least {@code startNanos})
 * @param outcome       how it ended
 * @param stamped       whether start and end come from the worker's own clock (else the broker's view)
 */
public record Slice(int rank, CapacityClass capacityClass, int lane, String shard, Priority priority, int attempt,
                    long startNanos, long endNanos, Outcome outcome, boolean stamped) {

    /** How long it ran. */
    public long durationNanos() {
        return endNanos - startNanos;
    }

    /** The same attempt on another lane or with other times. */
    Slice moved(int newLane, long newStart, long newEnd) {
        return new Slice(rank, capacityClass, newLane, shard, priority, attempt, newStart, newEnd, outcome, stamped);
    }
}
