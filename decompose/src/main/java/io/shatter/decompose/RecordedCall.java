package io.shatter.decompose;

import io.shatter.Codec;
import io.shatter.Resumable;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardFunction;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One recorded call as its shard runs it, on whichever rank: where each argument comes from, the
 * kernel to call, and how its written parameters and return value become the shard's output slots.
 */
final class RecordedCall implements ShardFunction<Slots> {

    private final Kernel kernel;
    private final Source[] sources;

    RecordedCall(Kernel kernel, Source[] sources) {
        this.kernel = kernel;
        this.sources = sources;
    }

    /** Every argument, in parameter order. */
    Object[] arguments(ShardContext ctx) {
        Object[] args = new Object[sources.length];
        for (int i = 0; i < sources.length; i++) {
            args[i] = resolve(sources[i], ctx);
        }
        return args;
    }

    private static Object resolve(Source source, ShardContext ctx) {
        if (source instanceof Source.Constant c) {
            return c.value();
        } else if (source instanceof Version.Known k) {
            return k.codec().decode(ByteBuffer.wrap(k.bytes()));
        } else if (source instanceof Version.Produced in) {
            return ctx.input(in.shard()).decode(in.slot(), in.codec());
        } else {
            return ((Source.Blank) source).blank().get();
        }
    }

    /** Slots of the output: the written parameters, and the return value if the kernel has one. */
    static int slotCount(Kernel kernel) {
        int count = kernel.returns().isPresent() ? 1 : 0;
        List<Param> params = kernel.params();
        for (int i = 0; i < params.size(); i++) { // indexed: recording a call allocates no iterator
            if (params.get(i).access().writes()) {
                count++;
            }
        }
        return count;
    }

    /** The output: each written parameter in order, then the return value if the kernel has one. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    Slots outputs(Object[] args, Object returned) {
        byte[][] values = new byte[slotCount(kernel)][];
        int slot = 0;
        for (int i = 0; i < args.length; i++) {
            Param p = kernel.params().get(i);
            if (p.access().writes()) {
                values[slot++] = ((Codec) p.codec()).encode(args[i]);
            }
        }
        if (kernel.returns().isPresent()) {
            if (returned == null) {
                throw new IllegalStateException("kernel '" + kernel.id() + "' returned null; a return value is an output and must be a value");
            }
            values[slot] = ((Codec) kernel.returns().get()).encode(returned);
        }
        return Slots.of(values);
    }

    /** The body of a plain kernel's shard. */
    @Override
    public Slots compute(ShardContext ctx) throws Exception {
        Object[] args = arguments(ctx);
        return outputs(args, ((Kernel.Call) kernel.body()).call(args));
    }

    /**
     * A resumable kernel's state: the step counter, whether another step remains, and the arguments;
     * only the written ones (the kernel's state proper) are checkpointed, the rest are read again
     * from the inputs after a restore.
     */
    static final class StepState {
        long step;
        boolean more = true;
        final Object[] args;
        boolean readsLoaded;

        StepState(Object[] args, boolean readsLoaded) {
            this.args = args;
            this.readsLoaded = readsLoaded;
        }
    }

    /** The body of a resumable kernel's shard. */
    Resumable<StepState, Slots> resumable() {
        Kernel.Steps steps = (Kernel.Steps) kernel.body();
        return new Resumable<>() {
            @Override
            public StepState start(ShardContext ctx) {
                return new StepState(arguments(ctx), true);
            }

            @Override
            public StepState step(StepState state, ShardContext ctx) throws Exception {
                if (!state.readsLoaded) {
                    for (int i = 0; i < sources.length; i++) {
                        if (!kernel.params().get(i).access().writes()) {
                            state.args[i] = resolve(sources[i], ctx);
                        }
                    }
                    state.readsLoaded = true;
                }
                state.more = steps.step(state.step, state.args);
                state.step++;
                return state;
            }

            @Override
            public boolean isDone(StepState state) {
                return !state.more;
            }

            @Override
            public Slots finish(StepState state, ShardContext ctx) {
                return outputs(state.args, null);
            }
        };
    }

    /** The encoded written parameters (a resumable kernel's state), in parameter order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private byte[][] writtenValues(Object[] args) {
        byte[][] values = new byte[slotCount(kernel)][];
        int slot = 0;
        for (int i = 0; i < args.length; i++) {
            Param p = kernel.params().get(i);
            if (p.access().writes()) {
                values[slot++] = ((Codec) p.codec()).encode(args[i]);
            }
        }
        return values;
    }

    /** Checkpoints a resumable kernel's state: {@code [step][more][written parameters as slots]}. */
    Codec<StepState> stateCodec() {
        return new Codec<>() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            public byte[] encode(StepState state) {
                byte[] written = Slots.pack(writtenValues(state.args));
                ByteBuffer out = ByteBuffer.allocate(9 + written.length);
                out.putLong(state.step).put((byte) (state.more ? 1 : 0)).put(written);
                return out.array();
            }

            @Override
            public StepState decode(ByteBuffer in) {
                long step = in.getLong();
                boolean more = in.get() != 0;
                Slots written = Slots.CODEC.decode(in.slice());
                Object[] args = new Object[sources.length];
                int slot = 0;
                for (int i = 0; i < sources.length; i++) {
                    Param p = kernel.params().get(i);
                    if (p.access().writes()) {
                        args[i] = written.decode(slot++, p.codec());
                    }
                }
                StepState state = new StepState(args, false);
                state.step = step;
                state.more = more;
                return state;
            }
        };
    }
}
