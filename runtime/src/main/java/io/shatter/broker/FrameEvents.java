package io.shatter.broker;

import io.shatter.broker.core.Event;
import io.shatter.broker.core.SavedState;
import io.shatter.protocol.Messages;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Turns a worker's decoded messages into the core's events. */
final class FrameEvents implements Messages.BrokerHandler {
    private final Consumer<Event> events;

    FrameEvents(Consumer<Event> events) {
        this.events = events;
    }

    @Override
    public void onHello(int rank, int cores, List<String> capabilities, String graphFingerprint) {
        events.accept(new Event.WorkerHello(rank, cores, capabilities, graphFingerprint));
    }

    @Override
    public void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output) {
        events.accept(new Event.AttemptDone(rank, taskId, attempt, runNanos, output));
    }

    @Override
    public void onFailed(int rank, int taskId, int attempt, long runNanos, String description) {
        events.accept(new Event.AttemptFailed(rank, taskId, attempt, runNanos, description));
    }

    @Override
    public void onCheckpoint(int rank, int taskId, int attempt, long step, byte[] state) {
        events.accept(new Event.CheckpointTaken(rank, taskId, attempt, new SavedState(step, state)));
    }

    @Override
    public void onYielded(int rank, int taskId, int attempt, long step, byte[] state, long runNanos) {
        Optional<SavedState> saved = step == Messages.NO_STEP ? Optional.empty() : Optional.of(new SavedState(step, state));
        events.accept(new Event.AttemptYielded(rank, taskId, attempt, saved, runNanos));
    }

    @Override
    public void onLeft(int rank) {
        events.accept(new Event.WorkerLeft(rank));
    }

    @Override
    public void onLeaving(int rank) {
        events.accept(new Event.WorkerLeaving(rank));
    }

    @Override
    public void onSharedGet(int rank, long requestId, String key) {
        events.accept(new Event.SharedGet(rank, requestId, key));
    }

    @Override
    public void onSharedCompareAndSet(int rank, long requestId, String key, long expectedVersion, byte[] value) {
        events.accept(new Event.SharedCompareAndSet(rank, requestId, key, expectedVersion, value));
    }
}
