package io.shatter;

import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BinaryOperator;

/**
 * A validated DAG of shards. Every rank builds the same graph (SPMD, like MPI itself): the broker
 * schedules it, the workers look shard bodies up in it by index, so no code travels.
 *
 * <pre>{@code
 * ShardGraph.Builder g = ShardGraph.builder("example");
 * Shard<double[]> data = g.shard("load").compute(Codecs.DOUBLES, ctx -> load());
 * Shard<Double> sum = g.shard("sum").inputs(data).priority(Priority.HIGH)
 *         .compute(Codecs.DOUBLE, ctx -> Arrays.stream(ctx.input(data)).sum());
 * ShardGraph graph = g.build();   // rejects cycles and dangling dependencies
 * }</pre>
 */
public final class ShardGraph {
    private final String name;
    private final List<ShardSpec> shards;
    private final int[][] dependents;
    private final String fingerprint;

    private ShardGraph(String name, List<ShardSpec> shards) {
        this.name = name;
        this.shards = List.copyOf(shards);
        this.dependents = invert(shards);
        this.fingerprint = fingerprintOf(name, shards);
    }

    /** Starts a graph; {@code name} appears in summaries and checkpoint files. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The graph's name. */
    public String name() {
        return name;
    }

    /** All shards in declaration order ({@code shards().get(i).index() == i}). */
    public List<ShardSpec> shards() {
        return shards;
    }

    /** Number of shards. */
    public int size() {
        return shards.size();
    }

    /** Indices of the shards that depend on shard {@code index}. */
    public int[] dependentsOf(int index) {
        return dependents[index];
    }

    /**
     * A hash of the graph's structure (ids, kinds, dependencies, ranges, priorities): ranks compare
     * it at start so that a rank that built a different graph is refused, and checkpoints and
     * journals are never applied to another graph.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Dependents of each shard, in increasing index order; counted first, so no boxing and no per-shard list. */
    private static int[][] invert(List<ShardSpec> shards) {
        int[] counts = new int[shards.size()];
        for (ShardSpec s : shards) {
            for (int d : s.dependencies()) {
                counts[d]++;
            }
        }
        int[][] out = new int[shards.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts[i] == 0 ? NO_INDICES : new int[counts[i]];
            counts[i] = 0;
        }
        for (ShardSpec s : shards) {
            for (int d : s.dependencies()) {
                out[d][counts[d]++] = s.index();
            }
        }
        return out;
    }

    private static final int[] NO_INDICES = new int[0];

    /**
     * SHA-256 of one line per shard, {@code id|kind|priority|cores|[capabilities]|[inputs]|[dependencies]|start|end|grain};
     * the lines are appended to one buffer hashed in large pieces, so a million-shard graph makes no
     * garbage per shard.
     */
    private static String fingerprintOf(String name, List<ShardSpec> shards) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            StringBuilder lines = new StringBuilder(1 << 16);
            for (ShardSpec s : shards) {
                lines.append(s.id()).append('|').append(s.kind()).append('|').append(s.priority()).append('|').append(s.cores()).append('|');
                if (s.capabilities().size() <= 1) {
                    lines.append(s.capabilities());
                } else {
                    lines.append(new TreeSet<>(s.capabilities()));
                }
                lines.append('|');
                appendIndices(lines, s.inputs());
                lines.append('|');
                appendIndices(lines, s.dependencies());
                lines.append('|').append(s.rangeStart()).append('|').append(s.rangeEnd()).append('|').append(s.grain()).append('\n');
                if (lines.length() >= 1 << 16) {
                    digest.update(lines.toString().getBytes(StandardCharsets.UTF_8));
                    lines.setLength(0);
                }
            }
            digest.update(lines.toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : Arrays.copyOf(digest.digest(), 8)) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** What {@link Arrays#toString(int[])} writes, without the intermediate string. */
    private static void appendIndices(StringBuilder out, int[] indices) {
        out.append('[');
        for (int i = 0; i < indices.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(indices[i]);
        }
        out.append(']');
    }

    /**
     * Collects shards, then validates them in {@link #build()}. Not thread-safe: build a graph on
     * one thread (on every rank).
     */
    public static final class Builder {
        private final String name;
        private final List<Draft> drafts = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();
        private int defaultRetries = 2;
        private boolean built;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Retries for shards that do not set their own (default 2, so three attempts in all). */
        public Builder defaultRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, got " + retries);
            }
            this.defaultRetries = retries;
            return this;
        }

        /** Declares a shard with a stable id; finish it with {@code compute}, {@code resumable} or {@code parallelFor}. */
        public ShardBuilder shard(String id) {
            if (built) {
                throw new IllegalStateException("graph '" + name + "' is already built");
            }
            if (id == null || id.isBlank()) {
                throw new GraphException("a shard id must not be empty", List.of());
            }
            if (ids.containsKey(id)) {
                throw new GraphException("shard id '" + id + "' is declared twice; ids must be unique", List.of(id));
            }
            return new ShardBuilder(this, id);
        }

        private <T> Shard<T> add(Draft draft, Codec<T> codec) {
            ids.put(draft.id, drafts.size());
            drafts.add(draft);
            return new Shard<>(draft.id, drafts.size() - 1, codec, this);
        }

        /**
         * Validates and freezes the graph.
         *
         * @throws GraphException naming the shards involved, for a dependency on an id that no shard
         *                        has, or a cycle (listed in order)
         */
        public ShardGraph build() {
            List<ShardSpec> specs = new ArrayList<>(drafts.size());
            for (int i = 0; i < drafts.size(); i++) {
                Draft d = drafts.get(i);
                int[] deps = Arrays.copyOf(d.inputs, d.inputs.length + d.after.size());
                int n = d.inputs.length;
                for (String after : d.after) {
                    Integer target = ids.get(after);
                    if (target == null) {
                        throw new GraphException("shard '" + d.id + "' depends on '" + after + "', which no shard declares", List.of(d.id, after));
                    }
                    if (target == i) {
                        throw new GraphException("shard '" + d.id + "' depends on itself", List.of(d.id));
                    }
                    deps[n++] = target;
                }
                specs.add(new ShardSpec(d.id, i, d.kind, d.priority, d.cores, d.capabilities.isEmpty() ? Set.of() : Set.copyOf(d.capabilities),
                        d.inputs, sortedDistinct(deps), d.retries < 0 ? defaultRetries : d.retries,
                        d.checkpointEvery, d.checkpointEverySteps, d.outputCodec, d.function, d.resumable, d.stateCodec, d.rangeBody, d.reducer,
                        d.rangeStart, d.rangeEnd, d.grain));
            }
            List<String> cycle = findCycle(specs);
            if (!cycle.isEmpty()) {
                throw new GraphException("the graph has a cycle: " + String.join(" -> ", cycle)
                        + "; remove one of these dependencies", cycle);
            }
            built = true;
            return new ShardGraph(name, specs);
        }

        /** The indices sorted, each once (in place; returns a shorter copy when there were repeats). */
        private static int[] sortedDistinct(int[] indices) {
            if (indices.length < 2) {
                return indices;
            }
            Arrays.sort(indices);
            int n = 1;
            for (int i = 1; i < indices.length; i++) {
                if (indices[i] != indices[n - 1]) {
                    indices[n++] = indices[i];
                }
            }
            return n == indices.length ? indices : Arrays.copyOf(indices, n);
        }

        /** Kahn's algorithm; whatever it cannot order lies on or behind a cycle, which a walk then extracts. */
        private static List<String> findCycle(List<ShardSpec> specs) {
            int n = specs.size();
            int[] pending = new int[n];
            int[][] dependents = invert(specs);
            for (ShardSpec s : specs) {
                pending[s.index()] = s.dependencies().length;
            }
            int[] ready = new int[n]; // a FIFO queue: each shard enters it once
            int head = 0;
            int tail = 0;
            for (int i = 0; i < n; i++) {
                if (pending[i] == 0) {
                    ready[tail++] = i;
                }
            }
            int ordered = 0;
            while (head < tail) {
                int i = ready[head++];
                ordered++;
                for (int dep : dependents[i]) {
                    if (--pending[dep] == 0) {
                        ready[tail++] = dep;
                    }
                }
            }
            if (ordered == n) {
                return List.of();
            }
            // Every unordered shard has an unordered dependency: walk those until a shard repeats.
            int start = 0;
            while (pending[start] == 0) {
                start++;
            }
            List<Integer> path = new ArrayList<>();
            Map<Integer, Integer> seenAt = new HashMap<>();
            int current = start;
            while (!seenAt.containsKey(current)) {
                seenAt.put(current, path.size());
                path.add(current);
                int next = -1;
                for (int d : specs.get(current).dependencies()) {
                    if (pending[d] > 0) {
                        next = d;
                        break;
                    }
                }
                current = next;
            }
            List<Integer> loop = new ArrayList<>(path.subList(seenAt.get(current), path.size()));
            Collections.reverse(loop); // dependency order: each shard runs before the next one
            List<String> names = new ArrayList<>();
            for (int i : loop) {
                names.add(specs.get(i).id());
            }
            names.add(names.get(0));
            return names;
        }
    }

    /** One shard being declared. Set what it needs, then finish with a body. */
    public static final class ShardBuilder {
        private final Builder graph;
        private final Draft draft;

        private ShardBuilder(Builder graph, String id) {
            this.graph = graph;
            this.draft = new Draft(id);
        }

        /** Scheduling priority (default MEDIUM). */
        public ShardBuilder priority(Priority priority) {
            draft.priority = Objects.requireNonNull(priority);
            return this;
        }

        /** Cores one attempt needs (default 1); the shard's {@link ShardContext#pool()} has that many threads. */
        public ShardBuilder cores(int cores) {
            if (cores < 1) {
                throw new IllegalArgumentException("shard '" + draft.id + "': cores must be >= 1, got " + cores);
            }
            draft.cores = cores;
            return this;
        }

        /** Labels a rank must offer to run this shard, for example {@code bigmem}. */
        public ShardBuilder requires(String... capabilities) {
            if (draft.capabilities.isEmpty()) {
                draft.capabilities = new LinkedHashSet<>();
            }
            draft.capabilities.addAll(Arrays.asList(capabilities));
            return this;
        }

        /** Shards whose outputs this one reads; each becomes a dependency. */
        public ShardBuilder inputs(Shard<?>... inputs) {
            int n = draft.inputs.length;
            draft.inputs = Arrays.copyOf(draft.inputs, n + inputs.length);
            for (Shard<?> in : inputs) {
                if (in.owner() != graph) {
                    throw new GraphException("shard '" + draft.id + "' reads '" + in.id() + "' from another graph", List.of(draft.id, in.id()));
                }
                draft.inputs[n++] = in.index();
            }
            return this;
        }

        /**
         * Order-only dependencies by id: this shard starts after those complete but does not read
         * their outputs. Ids may name shards declared later; {@link Builder#build()} checks them.
         */
        public ShardBuilder after(String... ids) {
            draft.after.addAll(Arrays.asList(ids));
            return this;
        }

        /** Failed attempts retried before the run fails (default: the graph's, normally 2). */
        public ShardBuilder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("shard '" + draft.id + "': retries must be >= 0, got " + retries);
            }
            draft.retries = retries;
            return this;
        }

        /** How often a resumable shard saves its state (default: the run's checkpoint interval). */
        public ShardBuilder checkpointEvery(Duration interval) {
            draft.checkpointEvery = interval;
            return this;
        }

        /**
         * Also save a resumable shard's state every {@code steps} steps, whatever the time (useful
         * when steps are uneven or a step count is what a restart should bound).
         */
        public ShardBuilder checkpointEverySteps(long steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("shard '" + draft.id + "': checkpointEverySteps must be >= 1, got " + steps);
            }
            draft.checkpointEverySteps = steps;
            return this;
        }

        /** Finishes a plain shard: one call of {@code function}. */
        public <T> Shard<T> compute(Codec<T> output, ShardFunction<T> function) {
            draft.kind = ShardKind.PLAIN;
            draft.outputCodec = Objects.requireNonNull(output);
            draft.function = Objects.requireNonNull(function);
            return graph.add(draft, output);
        }

        /** Finishes a resumable shard: explicit state, encoded with {@code state} at each checkpoint. */
        public <S, T> Shard<T> resumable(Codec<S> state, Codec<T> output, Resumable<S, T> body) {
            draft.kind = ShardKind.RESUMABLE;
            draft.stateCodec = Objects.requireNonNull(state);
            draft.outputCodec = Objects.requireNonNull(output);
            draft.resumable = Objects.requireNonNull(body);
            return graph.add(draft, output);
        }

        /**
         * Finishes a range shard over {@code [from, to)} in blocks of {@code grain} indices. The broker
         * hands out runs of whole blocks (more blocks per attempt when capacity is plentiful, fewer when
         * it is scarce or short-lived); {@code reducer} combines the blocks' partial results left to
         * right in index order, so the result is the same however the range was split.
         */
        public <T> Shard<T> parallelFor(long from, long to, long grain, Codec<T> output, RangeBody<T> body, BinaryOperator<T> reducer) {
            if (to <= from) {
                throw new IllegalArgumentException("shard '" + draft.id + "': empty range [" + from + ", " + to + ")");
            }
            if (grain < 1) {
                throw new IllegalArgumentException("shard '" + draft.id + "': grain must be >= 1, got " + grain);
            }
            if ((to - from + grain - 1) / grain > 1 << 20) {
                throw new IllegalArgumentException("shard '" + draft.id + "': more than 2^20 blocks; use a larger grain");
            }
            draft.kind = ShardKind.RANGE;
            draft.outputCodec = Objects.requireNonNull(output);
            draft.rangeBody = Objects.requireNonNull(body);
            draft.reducer = Objects.requireNonNull(reducer);
            draft.rangeStart = from;
            draft.rangeEnd = to;
            draft.grain = grain;
            return graph.add(draft, output);
        }

        /** {@link #parallelFor(long, long, long, Codec, RangeBody, BinaryOperator)} with at most 1024 blocks. */
        public <T> Shard<T> parallelFor(long from, long to, Codec<T> output, RangeBody<T> body, BinaryOperator<T> reducer) {
            long grain = Math.max(1, (to - from + 1023) / 1024);
            return parallelFor(from, to, grain, output, body, reducer);
        }
    }

    /** Mutable collection point for one shard's settings before validation. */
    private static final class Draft {
        final String id;
        ShardKind kind;
        Priority priority = Priority.MEDIUM;
        int cores = 1;
        Set<String> capabilities = Set.of(); // made a LinkedHashSet by the first requires(): most shards have none
        int[] inputs = new int[0];
        final List<String> after = new ArrayList<>();
        int retries = -1;
        Duration checkpointEvery;
        long checkpointEverySteps;
        Codec<?> outputCodec;
        ShardFunction<?> function;
        Resumable<?, ?> resumable;
        Codec<?> stateCodec;
        RangeBody<?> rangeBody;
        BinaryOperator<?> reducer;
        long rangeStart;
        long rangeEnd;
        long grain = 1;

        Draft(String id) {
            this.id = id;
        }
    }

}
