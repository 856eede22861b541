package io.shatter.decompose;

import io.shatter.Codec;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Records a sequential program's kernel calls as a shard graph (sequential task flow). The program
 * runs its ordinary loops and calls the generated facade; each call becomes one shard whose
 * dependencies come from the {@link Data} handles it touches:
 * <ul>
 *   <li>read after write: a call that reads data depends on the call that wrote its current version;</li>
 *   <li>write after read and write after write: with renaming (the default) a write makes a new
 *       version, so earlier readers keep theirs and no edge is needed; without renaming the writer
 *       waits for the current version's readers and writer (order-only edges).</li>
 * </ul>
 * Shatter passes values between shards, never shared memory, so a new version can always be
 * allocated: renaming removes every false dependency. Recording is deterministic, so every rank
 * of an SPMD run that replays the same program records the same graph.
 *
 * <p>A program that never waits for a value builds its whole graph with {@link #graph()} and runs
 * it as any other. A program that waits ({@link Data#get()}) grows its graph in epochs: each
 * {@code get} of a value still to be computed runs the calls recorded since the last one through the
 * {@link EpochRunner}, then recording goes on. With an epoch directory, each finished epoch's
 * values are saved, so that the same program run again after a kill gets the same awaited values,
 * records the same calls, and resumes the epoch it was killed in from that epoch's journal.
 *
 * <p>Not thread-safe: record on one thread, as a sequential program does.
 */
public final class Recorder {
    private final String name;
    private final boolean renaming;
    private final EpochRunner runner;
    private final EpochStore store;

    private ShardGraph.Builder builder;
    private int epoch;
    private boolean handedOut;
    /** Handles whose version a shard of the current epoch makes: the values to read back after it runs. */
    private List<Data<?>> producedThisEpoch = new ArrayList<>();
    private long callsBeforeEpoch;
    /** Handles read or written in the current epoch: their access history ends with it. */
    private List<Data<?>> touchedThisEpoch = new ArrayList<>();

    private long calls;
    private long readAfterWrite;
    private long writeAfterRead;
    private long writeAfterWrite;
    private long renamedAfterRead;
    private long renamedAfterWrite;

    private Recorder(Builder b) {
        this.name = b.name;
        this.renaming = b.renaming;
        this.runner = b.runner;
        this.store = b.epochDirectory == null ? null : new EpochStore(b.epochDirectory, b.name);
        this.builder = ShardGraph.builder(b.name);
    }

    /** A recorder with renaming and no runner: for programs that build their whole graph with {@link #graph()}. */
    public static Recorder create(String name) {
        return builder(name).build();
    }

    /** Starts configuring a recorder; {@code name} names the graph (and its epochs). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Program data with its initial value, which is encoded now: every rank holds it, so reading it
     * needs no shard. A primitive array keeps its length for good, which lets {@link Write} parameters
     * get a blank array of the same length.
     */
    public <T> Data<T> data(String dataName, Codec<T> codec, T value) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(value, () -> "data '" + dataName + "' needs a value");
        return new Data<>(this, dataName, codec, blankLike(value), new Version.Known(codec.encode(value), codec));
    }

    @SuppressWarnings("unchecked")
    private static <T> Supplier<T> blankLike(T value) {
        if (value instanceof double[] a) {
            int n = a.length;
            return () -> (T) new double[n];
        } else if (value instanceof float[] a) {
            int n = a.length;
            return () -> (T) new float[n];
        } else if (value instanceof long[] a) {
            int n = a.length;
            return () -> (T) new long[n];
        } else if (value instanceof int[] a) {
            int n = a.length;
            return () -> (T) new int[n];
        } else if (value instanceof byte[] a) {
            int n = a.length;
            return () -> (T) new byte[n];
        }
        return null;
    }

    /**
     * Records one call of {@code kernel}; called by generated facades, with the arguments in parameter
     * order ({@link Data} handles for data parameters, the values for constants).
     *
     * @return the handle of the return value, or null for a kernel without one
     */
    public Data<?> record(Kernel kernel, Object[] args) {
        if (handedOut) {
            throw new IllegalStateException("graph '" + name + "' was already handed out by graph(); record everything before calling it");
        }
        List<Param> params = kernel.params();
        if (args.length != params.size()) {
            throw new IllegalArgumentException("kernel '" + kernel.id() + "' takes " + params.size() + " arguments, got " + args.length);
        }
        String id = kernel.id() + "-" + calls;
        Source[] sources = new Source[args.length];
        Shard<?>[] inputs = new Shard<?>[args.length];
        int inputCount = 0;
        List<String> after = renaming ? List.of() : new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            Param p = params.get(i);
            Access access = p.access();
            if (access == Access.VALUE) {
                sources[i] = new Source.Constant(args[i]);
                continue;
            }
            Data<?> d = dataArgument(kernel, p, args[i]);
            checkAliasing(kernel, params, args, i, d);
            if (access.reads()) {
                sources[i] = d.version;
                if (d.version instanceof Version.Produced produced) {
                    inputCount = addOnce(inputs, inputCount, produced.shard());
                }
            } else {
                sources[i] = d.blank().orElseThrow(() -> new IllegalArgumentException("kernel '" + kernel.id()
                        + "' writes '" + d.name() + "' through @Write parameter '" + p.name() + "', but the length of '" + d.name()
                        + "' is only known once it is computed; make the parameter @ReadWrite"));
            }
            if (access.writes()) {
                orderAfterEarlierAccesses(d, after, inputs, inputCount);
            }
        }
        readAfterWrite += inputCount;
        ShardGraph.ShardBuilder shard = builder.shard(id).priority(kernel.priority()).cores(kernel.cores()).retries(kernel.retries())
                .inputs(inputCount == inputs.length ? inputs : java.util.Arrays.copyOf(inputs, inputCount));
        if (!kernel.capabilities().isEmpty()) {
            shard.requires(kernel.capabilities().toArray(new String[0]));
        }
        if (!after.isEmpty()) {
            shard.after(after.toArray(new String[0]));
        }
        RecordedCall call = new RecordedCall(kernel, sources);
        Codec<Slots> output = Slots.codecFor(RecordedCall.slotCount(kernel));
        Shard<Slots> recorded = kernel.resumable()
                ? shard.resumable(call.stateCodec(), output, call.resumable())
                : shard.compute(output, call);
        calls++;
        return newVersions(kernel, args, id, recorded);
    }

    private Data<?> dataArgument(Kernel kernel, Param p, Object arg) {
        if (!(arg instanceof Data<?> d)) {
            throw new IllegalArgumentException("kernel '" + kernel.id() + "': parameter '" + p.name() + "' needs a Data handle, got "
                    + (arg == null ? "null" : arg.getClass().getSimpleName()));
        }
        if (d.recorder != this) {
            throw new IllegalArgumentException("kernel '" + kernel.id() + "': data '" + d.name() + "' belongs to another recorder");
        }
        return d;
    }

    /** The same data twice in one call is fine for reads; with a write the kernel would see two copies, unlike the sequential program. */
    private static void checkAliasing(Kernel kernel, List<Param> params, Object[] args, int i, Data<?> d) {
        for (int j = 0; j < i; j++) {
            if (args[j] == d && (params.get(i).access().writes() || params.get(j).access().writes())) {
                throw new IllegalArgumentException("kernel '" + kernel.id() + "' gets data '" + d.name() + "' as both '" + params.get(j).name()
                        + "' and '" + params.get(i).name() + "' and writes one of them; pass distinct data");
            }
        }
    }

    private static int addOnce(Shard<?>[] inputs, int count, Shard<?> shard) {
        for (int k = 0; k < count; k++) {
            if (inputs[k] == shard) {
                return count;
            }
        }
        inputs[count] = shard;
        return count + 1;
    }

    /** Counts (and, without renaming, adds) the write-after-read and write-after-write pairs of a write to {@code d}. */
    private void orderAfterEarlierAccesses(Data<?> d, List<String> after, Shard<?>[] inputs, int inputCount) {
        int readers = d.readsSinceWrite;
        boolean rewritten = d.writtenThisEpoch;
        if (renaming) {
            renamedAfterRead += readers;
            renamedAfterWrite += rewritten ? 1 : 0;
            return;
        }
        for (String reader : d.readers) {
            if (!after.contains(reader) && !isInput(reader, inputs, inputCount)) {
                after.add(reader);
                writeAfterRead++;
            }
        }
        if (d.lastWriter != null && !after.contains(d.lastWriter) && !isInput(d.lastWriter, inputs, inputCount)) {
            after.add(d.lastWriter);
            writeAfterWrite++;
        }
    }

    private static boolean isInput(String id, Shard<?>[] inputs, int count) {
        for (int k = 0; k < count; k++) {
            if (inputs[k].id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** After the shard exists: reads are noted, writes become new versions, the return value a new handle. */
    private Data<?> newVersions(Kernel kernel, Object[] args, String id, Shard<Slots> recorded) {
        List<Param> params = kernel.params();
        int slot = 0;
        for (int i = 0; i < args.length; i++) {
            Access access = params.get(i).access();
            if (access == Access.VALUE) {
                continue;
            }
            Data<?> d = (Data<?>) args[i];
            if (!d.touchedThisEpoch) {
                d.touchedThisEpoch = true;
                touchedThisEpoch.add(d);
            }
            if (access.writes()) {
                d.version = new Version.Produced(recorded, slot++, d.codec);
                d.readsSinceWrite = 0;
                d.writtenThisEpoch = true;
                if (!renaming) {
                    d.readers.clear();
                    d.lastWriter = id;
                }
                if (!d.producedThisEpoch) {
                    d.producedThisEpoch = true;
                    producedThisEpoch.add(d);
                }
            } else {
                d.readsSinceWrite++;
                if (!renaming) {
                    d.readers.add(id);
                }
            }
        }
        if (kernel.returns().isEmpty()) {
            return null;
        }
        Data<?> result = new Data<>(this, id + ".result", kernel.returns().get(), null, new Version.Produced(recorded, slot, kernel.returns().get()));
        result.producedThisEpoch = true;
        producedThisEpoch.add(result);
        return result;
    }

    /**
     * The graph recorded so far, for a program that does not wait for values: build it, run it,
     * then read values with {@link #valueIn}. Recording ends here.
     */
    public ShardGraph graph() {
        if (epoch > 0) {
            throw new IllegalStateException("graph '" + name + "' grew in epochs (the program waited for values); finish it with finish()");
        }
        handedOut = true;
        return builder.build();
    }

    /** The value of {@code data} after {@code result}, the run of {@link #graph()}. */
    public <T> T valueIn(RunResult result, Data<T> data) {
        if (data.version instanceof Version.Produced p) {
            return result.get(p.shard()).decode(p.slot(), data.codec);
        }
        return data.codec.decode(ByteBuffer.wrap(((Version.Known) data.version).bytes()));
    }

    /**
     * The current value of {@code data}. When a recorded call still has to compute it, the calls
     * recorded since the last wait run first, as one epoch, through the {@link EpochRunner} (or come
     * from the epoch directory, if that epoch finished in an earlier run of the program).
     */
    public <T> T get(Data<T> data) {
        if (data.recorder != this) {
            throw new IllegalArgumentException("data '" + data.name() + "' belongs to another recorder");
        }
        if (data.version instanceof Version.Produced) {
            runEpoch();
        }
        return data.codec.decode(ByteBuffer.wrap(((Version.Known) data.version).bytes()));
    }

    /** Runs whatever was recorded since the last wait, so that every {@link Data#get()} is answered without running anything. */
    public void finish() {
        if (!producedThisEpoch.isEmpty() || builderHasShards()) {
            runEpoch();
        }
    }

    private boolean builderHasShards() {
        return calls > callsBeforeEpoch;
    }

    private void runEpoch() {
        if (handedOut) {
            throw new IllegalStateException("graph '" + name + "' was handed out by graph(); read its values with valueIn(result, data)");
        }
        if (runner == null) {
            throw new IllegalStateException("the program waits for '" + name + "' values, which needs a runner: "
                    + "Recorder.builder(name).runner((graph, epoch) -> Shatter.run(graph, config)).build()");
        }
        ShardGraph graph = builder.build();
        Optional<List<byte[]>> saved = store == null ? Optional.empty() : store.load(epoch, graph.fingerprint(), producedThisEpoch.size());
        List<byte[]> values;
        if (saved.isPresent()) {
            values = saved.get();
        } else {
            RunResult result = runner.run(graph, epoch);
            if (!result.isBroker()) {
                throw new ShatterException("this rank is a worker of an MPI run, and only the broker holds the values a growing graph waits for; "
                        + "run programs that call get() on local ranks (or build the whole graph and use graph())");
            }
            values = new ArrayList<>(producedThisEpoch.size());
            for (Data<?> d : producedThisEpoch) {
                Version.Produced p = (Version.Produced) d.version;
                values.add(result.get(p.shard()).raw(p.slot()));
            }
            if (store != null) {
                store.save(epoch, graph.fingerprint(), values);
            }
        }
        for (int i = 0; i < values.size(); i++) {
            Data<?> d = producedThisEpoch.get(i);
            d.version = new Version.Known(values.get(i), d.codec);
        }
        for (Data<?> d : producedThisEpoch) {
            d.producedThisEpoch = false;
        }
        for (Data<?> d : touchedThisEpoch) { // what ran is complete: nothing later waits for it
            d.touchedThisEpoch = false;
            d.writtenThisEpoch = false;
            d.readsSinceWrite = 0;
            d.lastWriter = null;
            d.readers.clear();
        }
        touchedThisEpoch = new ArrayList<>();
        epoch++;
        callsBeforeEpoch = calls;
        producedThisEpoch = new ArrayList<>();
        builder = ShardGraph.builder(name + "-epoch-" + epoch);
    }

    /** What has been inferred so far. */
    public InferenceStats stats() {
        return new InferenceStats(calls, readAfterWrite, writeAfterRead, writeAfterWrite, renamedAfterRead, renamedAfterWrite, epoch);
    }

    /** Configures a {@link Recorder}. */
    public static final class Builder {
        private final String name;
        private boolean renaming = true;
        private EpochRunner runner;
        private Path epochDirectory;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * Whether writes make new versions (default true). Off, a writer also waits for the current
         * version's readers and writer, as in-place updates of shared memory would need: useful to see
         * what renaming saves, never needed for correctness here.
         */
        public Builder renaming(boolean enabled) {
            this.renaming = enabled;
            return this;
        }

        /** Runs the epochs of a program that waits for values. */
        public Builder runner(EpochRunner epochRunner) {
            this.runner = epochRunner;
            return this;
        }

        /** Where finished epochs' values are kept, so that a killed program resumes with the same awaited values. */
        public Builder epochDirectory(Path directory) {
            this.epochDirectory = directory;
            return this;
        }

        public Recorder build() {
            return new Recorder(this);
        }
    }
}
