package io.shatter.broker;

import io.shatter.broker.core.Event;
import io.shatter.broker.core.SavedState;
import io.shatter.protocol.Messages;
import io.shatter.protocol.ProtocolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a worker's frame into the core's events. The whole frame is decoded before any of its
 * events is handed on, so a frame that turns out malformed half way changes nothing: its rank is
 * dropped instead (see {@link BrokerLoop}).
 */
final class FrameEvents implements Messages.BrokerHandler, Messages.StampListener {
    /** A worker's clock reading for the timeline, decoded in frame order among the events. */
    private sealed interface Stamp {
        record Hello(int rank, long workerNanos) implements Stamp {
        }

        record Attempt(int rank, int taskId, int attempt, Messages.Stamp stamp, long runNanos) implements Stamp {
        }
    }

    /** What the decoded frames go to: the core's events and the timeline's stamps. */
    interface Sink {
        void event(Event event);

        Messages.StampListener stamps();
    }

    /** Far beyond any node (the CLI allows 4,096 per rank), so that no count of cores overflows. */
    private static final int MAX_CORES = 1 << 16;

    private final Sink sink;
    /** The decoded frame: {@link Event}s and {@link Stamp}s, in frame order (one list, no wrapper per message). */
    private final List<Object> decoded = new ArrayList<>();

    FrameEvents(Sink sink) {
        this.sink = sink;
    }

    /**
     * Decodes {@code frame} from {@code rank} whole, holding its events and stamps for
     * {@link #deliver}; throws whatever decoding throws, with nothing held.
     */
    void decode(int rank, byte[] frame) {
        decoded.clear();
        try {
            Messages.readBrokerFrame(rank, frame, this, this);
        } catch (RuntimeException | Error e) {
            decoded.clear();
            throw e;
        }
    }

    /** Hands the decoded frame's events and stamps on, in frame order. */
    void deliver() {
        try {
            for (Object d : decoded) {
                if (d instanceof Event e) {
                    sink.event(e);
                } else if (d instanceof Stamp.Hello h) {
                    sink.stamps().onHello(h.rank(), h.workerNanos());
                } else if (d instanceof Stamp.Attempt a) {
                    sink.stamps().onAttempt(a.rank(), a.taskId(), a.attempt(), a.stamp(), a.runNanos());
                }
            }
        } finally {
            decoded.clear(); // a large output must not stay reachable until the next frame
        }
    }

    private void add(Event event) {
        decoded.add(event);
    }

    @Override
    public void onHello(int rank, long workerNanos) {
        decoded.add(new Stamp.Hello(rank, workerNanos));
    }

    @Override
    public void onAttempt(int rank, int taskId, int attempt, Messages.Stamp stamp, long runNanos) {
        decoded.add(new Stamp.Attempt(rank, taskId, attempt, stamp, runNanos));
    }

    @Override
    public void onHello(int rank, int cores, List<String> capabilities, String graphFingerprint) {
        if (cores < 1 || cores > MAX_CORES) {
            throw new ProtocolException("a hello offering " + cores + " cores");
        }
        add(new Event.WorkerHello(rank, cores, capabilities, graphFingerprint));
    }

    @Override
    public void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output) {
        add(new Event.AttemptDone(rank, taskId, attempt, nonNegative(runNanos, "run time"), output));
    }

    @Override
    public void onFailed(int rank, int taskId, int attempt, long runNanos, String description) {
        add(new Event.AttemptFailed(rank, taskId, attempt, nonNegative(runNanos, "run time"), description));
    }

    @Override
    public void onCheckpoint(int rank, int taskId, int attempt, long step, byte[] state) {
        add(new Event.CheckpointTaken(rank, taskId, attempt, new SavedState(nonNegative(step, "checkpoint step"), state)));
    }

    @Override
    public void onYielded(int rank, int taskId, int attempt, long step, byte[] state, long runNanos) {
        if (step < Messages.NO_STEP) {
            throw new ProtocolException("a yield at step " + step);
        }
        Optional<SavedState> saved = step == Messages.NO_STEP ? Optional.empty() : Optional.of(new SavedState(step, state));
        add(new Event.AttemptYielded(rank, taskId, attempt, saved, nonNegative(runNanos, "run time")));
    }

    /** An unsigned varint beyond {@code Long.MAX_VALUE} reads as negative: no honest worker sends one. */
    private static long nonNegative(long value, String what) {
        if (value < 0) {
            throw new ProtocolException("a " + what + " of " + Long.toUnsignedString(value));
        }
        return value;
    }

    @Override
    public void onLeft(int rank) {
        add(new Event.WorkerLeft(rank));
    }

    @Override
    public void onLeaving(int rank) {
        add(new Event.WorkerLeaving(rank));
    }

    @Override
    public void onSharedGet(int rank, int taskId, int attempt, long requestId, String key) {
        add(new Event.SharedGet(rank, taskId, attempt, requestId, key));
    }

    @Override
    public void onSharedCompareAndSet(int rank, int taskId, int attempt, long requestId, String key, long expectedVersion, byte[] value) {
        add(new Event.SharedCompareAndSet(rank, taskId, attempt, requestId, key, nonNegative(expectedVersion, "version"), value));
    }
}
