package io.shatter.observe;

import io.shatter.CapacityClass;
import io.shatter.Priority;

/**
 * What the broker core reports as it decides, for the timeline: attempts ending, things happening
 * to ranks, checkpoints made durable. Called synchronously on the core's thread, so implementations
 * must be quick; the core does not depend on what they do (the shell's {@link TimelineRecorder}
 * stamps them on its clock).
 */
public interface ScheduleObserver {

    /** The core ended an attempt ({@code outcome}: completed, failed, preempted, returned, lost or cancelled). */
    void attemptEnded(int rank, CapacityClass capacityClass, int taskId, String shard, Priority priority, int attempt,
                      long runNanos, String outcome);

    /**
     * Whether {@link #attemptEnded} records anything: if not, the core skips gathering its arguments
     * (the task's name and priority, which at 10,000 ranks cost a cache miss per attempt end).
     */
    default boolean recordsAttempts() {
        return true;
    }

    /** Something happened to {@code rank}. */
    void mark(Mark.Kind kind, int rank, String detail);

    /** A checkpoint of {@code shard} at {@code step}, {@code bytes} long, became durable. */
    void checkpointSaved(String shard, long step, long bytes);

    /** Hears nothing. */
    ScheduleObserver NONE = new ScheduleObserver() {
        @Override
        public boolean recordsAttempts() {
            return false;
        }

        @Override
        public void attemptEnded(int rank, CapacityClass capacityClass, int taskId, String shard, Priority priority, int attempt,
                                 long runNanos, String outcome) {
        }

        @Override
        public void mark(Mark.Kind kind, int rank, String detail) {
        }

        @Override
        public void checkpointSaved(String shard, long step, long bytes) {
        }
    };
}
