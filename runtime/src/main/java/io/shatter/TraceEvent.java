package io.shatter;

/**
 * One attempt on one rank, for the run's timeline (Chrome trace event JSON, opened by Perfetto).
 *
 * @param rank          the worker rank
 * @param capacityClass its capacity class
 * @param name          the shard (or chunk) id
 * @param priority      the shard's priority
 * @param attempt       the attempt number
 * @param startNanos    start, in nanoseconds from the run's start
 * @param durationNanos how long it ran
 * @param outcome       completed, failed, preempted, lost or cancelled
 */
public record TraceEvent(int rank, CapacityClass capacityClass, String name, Priority priority, int attempt,
                         long startNanos, long durationNanos, String outcome) {
}
