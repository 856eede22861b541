package io.shatter.worker;

import io.shatter.Codec;
import io.shatter.ExpectedFailure;
import io.shatter.RangeBody;
import io.shatter.Resumable;
import io.shatter.ShardContext;
import io.shatter.protocol.Messages;
import io.shatter.protocol.WireWriter;

/**
 * Runs one attempt's body, outside the worker's lock: a plain shard to its end, a resumable one
 * step by step with a safepoint after each (where it stops, yields or saves), a range chunk block
 * by block. Whatever the body throws becomes a failed outcome with a one-line description.
 */
final class AttemptRunner {
    /** What a running attempt needs from its worker at a safepoint. */
    interface Safepoints {
        /** Reads the broker's pending frames (a preemption, a cancel), if no other lane is doing so. */
        void poll();

        /** Sends a checkpoint of the attempt's state after {@code step} steps. */
        void checkpoint(Assignment a, long step, byte[] state);
    }

    private final Safepoints safepoints;

    AttemptRunner(Safepoints safepoints) {
        this.safepoints = safepoints;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    Outcome run(Assignment a, ShardContext context) {
        long start = System.nanoTime();
        try {
            return switch (a.spec.kind()) {
                case PLAIN -> new Outcome.Done(encode((Codec) a.spec.outputCodec(), a.spec.function().compute(context), a), 1,
                        System.nanoTime() - start);
                case RESUMABLE -> runResumable(a, (Resumable) a.spec.resumable(), (Codec) a.spec.stateCodec(), context, start);
                case RANGE -> runRange(a, (RangeBody) a.spec.rangeBody(), (Codec) a.spec.outputCodec(), context, start);
            };
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError && !(e instanceof OutOfMemoryError)) {
                throw (VirtualMachineError) e;
            }
            return new Outcome.Failed(describe(e), System.nanoTime() - start);
        }
    }

    private <S> Outcome runResumable(Assignment a, Resumable<S, Object> body, Codec<S> stateCodec, ShardContext context, long start)
            throws Exception {
        S state;
        long step;
        if (a.resumeStep >= 0) {
            state = stateCodec.decode(a.state);
            step = a.resumeStep;
        } else {
            state = body.start(context);
            step = 0;
        }
        long lastCheckpoint = System.nanoTime();
        while (!body.isDone(state)) {
            state = body.step(state, context);
            step++;
            // Safepoint: the only places where a resumable shard stops, yields or saves.
            safepoints.poll();
            if (a.cancelled) {
                return new Outcome.Cancelled(System.nanoTime() - start);
            }
            if (a.yieldRequested) {
                return new Outcome.Yielded(step, stateCodec.encode(state), System.nanoTime() - start);
            }
            long now = System.nanoTime();
            boolean stepsDue = a.spec.checkpointEverySteps() > 0 && step % a.spec.checkpointEverySteps() == 0;
            if (stepsDue || (a.checkpointEveryNanos > 0 && now - lastCheckpoint >= a.checkpointEveryNanos)) {
                safepoints.checkpoint(a, step, stateCodec.encode(state));
                lastCheckpoint = now;
            }
        }
        @SuppressWarnings("unchecked")
        Codec<Object> out = (Codec<Object>) a.spec.outputCodec();
        return new Outcome.Done(encode(out, body.finish(state, context), a), step, System.nanoTime() - start);
    }

    private Outcome runRange(Assignment a, RangeBody<Object> body, Codec<Object> codec, ShardContext context, long start) throws Exception {
        WireWriter partials = new WireWriter(64);
        partials.writeVarInt(a.blockTo - a.blockFrom);
        for (int b = a.blockFrom; b < a.blockTo; b++) {
            if (b > a.blockFrom) {
                safepoints.poll();
            }
            if (a.cancelled) {
                return new Outcome.Cancelled(System.nanoTime() - start);
            }
            if (a.yieldRequested) {
                return new Outcome.Yielded(Messages.NO_STEP, new byte[0], System.nanoTime() - start);
            }
            Object partial = body.compute(a.spec.blockStart(b), a.spec.blockEnd(b), context);
            partials.writeBytes(encode(codec, partial, a));
        }
        return new Outcome.Done(partials.toFrame(), a.blockTo - a.blockFrom, System.nanoTime() - start);
    }

    private static byte[] encode(Codec<Object> codec, Object value, Assignment a) {
        try {
            return codec.encode(value);
        } catch (NullPointerException e) {
            throw new IllegalStateException("shard '" + a.spec.id() + "' returned null, which its output codec cannot encode", e);
        }
    }

    /** One line a person can act on: the error, its message, and where it was thrown. */
    static String describe(Throwable e) {
        if (e instanceof ExpectedFailure && e.getMessage() != null) {
            return e.getMessage();
        }
        StringBuilder text = new StringBuilder(e.getClass().getName());
        if (e.getMessage() != null) {
            text.append(": ").append(e.getMessage());
        }
        StackTraceElement[] at = e.getStackTrace();
        if (at.length > 0) {
            text.append(" (at ").append(at[0]).append(')');
        }
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            text.append("; caused by ").append(cause.getClass().getName());
            if (cause.getMessage() != null) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }
}
