package io.shatter.worker;

import io.shatter.graph.ShardSpec;

import java.util.Map;

/** One assignment: an attempt of a task, queued or running on this rank. */
final class Assignment {
    final int taskId;
    final int attempt;
    final ShardSpec spec;
    final int blockFrom;
    final int blockTo;
    final long checkpointEveryNanos;
    /** The step its state was saved at, or {@link io.shatter.protocol.Messages#NO_STEP}: start afresh. */
    final long resumeStep;
    final byte[] state;
    final Map<Integer, byte[]> inputs;
    boolean started;
    volatile boolean yieldRequested;
    volatile boolean cancelled;

    Assignment(int taskId, int attempt, ShardSpec spec, int blockFrom, int blockTo, long checkpointEveryNanos,
               long resumeStep, byte[] state, Map<Integer, byte[]> inputs) {
        this.taskId = taskId;
        this.attempt = attempt;
        this.spec = spec;
        this.blockFrom = blockFrom;
        this.blockTo = blockTo;
        this.checkpointEveryNanos = checkpointEveryNanos;
        this.resumeStep = resumeStep;
        this.state = state;
        this.inputs = inputs;
    }

    long key() {
        return key(taskId, attempt);
    }

    static long key(int taskId, int attempt) {
        return ((long) taskId << 32) | (attempt & 0xFFFFFFFFL);
    }
}
