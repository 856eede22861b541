package io.shatter.observe;

/**
 * A checkpoint that became durable.
 *
 * @param atNanos when, from the run's start on the broker's clock
 * @param shard   whose state it holds
 * @param step    the step it was taken at
 * @param bytes   the state's size
 */
public record CheckpointMark(long atNanos, String shard, long step, long bytes) {
}
