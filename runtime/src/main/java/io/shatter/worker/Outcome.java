package io.shatter.worker;

import io.shatter.protocol.Messages;
import io.shatter.protocol.PackedResults;
import io.shatter.protocol.WireWriter;

import java.util.function.Supplier;

/** How an attempt ended, written to the broker under the worker's lock. */
sealed interface Outcome {
    long runNanos();

    /**
     * Writes what the broker must hear of it (nothing for a cancelled attempt): a result joins
     * {@code results}, to leave packed with the others; anything else goes to {@code out}, which
     * supplies the outbox with the held results written first (so messages keep their order).
     */
    void write(Supplier<WireWriter> out, PackedResults results, Assignment a, int lane, long startNanos);

    record Done(byte[] output, long steps, long runNanos) implements Outcome {
        @Override
        public void write(Supplier<WireWriter> out, PackedResults results, Assignment a, int lane, long startNanos) {
            results.add(a.taskId, a.attempt, lane, startNanos, runNanos, steps, output);
        }
    }

    record Failed(String error, long runNanos) implements Outcome {
        @Override
        public void write(Supplier<WireWriter> out, PackedResults results, Assignment a, int lane, long startNanos) {
            Messages.failed(out.get(), a.taskId, a.attempt, new Messages.Stamp(lane, startNanos), runNanos, error);
        }
    }

    /** Stopped at a safepoint when asked to: {@code state} saved at {@code step} (none for a range chunk). */
    record Yielded(long step, byte[] state, long runNanos) implements Outcome {
        @Override
        public void write(Supplier<WireWriter> out, PackedResults results, Assignment a, int lane, long startNanos) {
            Messages.yielded(out.get(), a.taskId, a.attempt, new Messages.Stamp(lane, startNanos), step, state, runNanos);
        }
    }

    /** The broker has moved on and expects nothing. */
    record Cancelled(long runNanos) implements Outcome {
        @Override
        public void write(Supplier<WireWriter> out, PackedResults results, Assignment a, int lane, long startNanos) {
        }
    }
}
