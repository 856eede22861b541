package io.shatter.protocol;

import java.util.List;

/** A broker-side frame handler that ignores every message; tests override what they watch. */
interface IgnoringBrokerHandler extends Messages.BrokerHandler {
    @Override
    default void onHello(int rank, int cores, List<String> capabilities, String graphFingerprint) {
    }

    @Override
    default void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output) {
    }

    @Override
    default void onFailed(int rank, int taskId, int attempt, long runNanos, String description) {
    }

    @Override
    default void onCheckpoint(int rank, int taskId, int attempt, long step, byte[] state) {
    }

    @Override
    default void onYielded(int rank, int taskId, int attempt, long step, byte[] state, long runNanos) {
    }

    @Override
    default void onLeft(int rank) {
    }

    @Override
    default void onLeaving(int rank) {
    }

    @Override
    default void onSharedGet(int rank, int taskId, int attempt, long requestId, String key) {
    }

    @Override
    default void onSharedCompareAndSet(int rank, int taskId, int attempt, long requestId, String key, long expectedVersion,
                                byte[] value) {
    }
}
