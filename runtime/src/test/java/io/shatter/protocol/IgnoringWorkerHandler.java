package io.shatter.protocol;

import java.util.List;

/** A worker-side frame handler that ignores every message; tests override what they watch. */
interface IgnoringWorkerHandler extends Messages.WorkerHandler {
    @Override
    default void onAssign(int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                          long resumeStep, byte[] state, List<Messages.Input> inputs) {
    }

    @Override
    default void onPreempt(int taskId, int attempt) {
    }

    @Override
    default void onCancel(int taskId, int attempt) {
    }

    @Override
    default void onRevoke(long graceNanos) {
    }

    @Override
    default void onRestore() {
    }

    @Override
    default void onRelease(int[] shardIndices) {
    }

    @Override
    default void onShutdown() {
    }

    @Override
    default void onSharedReply(long requestId, boolean applied, long version, byte[] value) {
    }
}
