package io.shatter.broker.core;

import io.shatter.Codecs;
import io.shatter.ShardGraph;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.protocol.WireWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToLongFunction;
import java.util.function.LongBinaryOperator;

/**
 * A random graph for the core's property test: plain, resumable and range shards with random inputs
 * and priorities, the value a sequential evaluation gives each, and the output a correct execution of
 * an assignment returns (the simulated ranks never run the shards' code).
 */
final class RandomShardGraph {
    final ShardGraph graph;
    /** Per shard, what a sequential evaluation gives. */
    final long[] expected;
    private final long[] salt;
    private final List<ShardSpec> specs;
    private final long seed;
    private final Random random;

    /** Draws {@code n} shards from {@code random} (the caller's, so one seed fixes the whole run). */
    RandomShardGraph(long seed, Random random, int n) {
        this.seed = seed;
        this.random = random;
        salt = new long[n];
        expected = new long[n];
        graph = randomGraph(n);
        specs = graph.shards();
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static final LongBinaryOperator REDUCE = (a, b) -> a * 31 + b; // neither commutative nor associative: order shows

    private ShardGraph randomGraph(int n) {
        ShardGraph.Builder g = ShardGraph.builder("sim-" + seed);
        List<io.shatter.Shard<Long>> handles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> inputs = new ArrayList<>();
            for (int k = 0; k < Math.min(i, 3); k++) {
                if (random.nextInt(3) == 0) {
                    inputs.add(random.nextInt(i));
                }
            }
            inputs = inputs.stream().distinct().sorted().toList();
            ShardGraph.ShardBuilder b = g.shard("s" + i).priority(io.shatter.Priority.values()[random.nextInt(4)]).retries(3)
                    .inputs(inputs.stream().map(handles::get).toArray(io.shatter.Shard<?>[]::new));
            salt[i] = random.nextLong();
            long base = salt[i];
            for (int in : inputs) {
                base = mix(base, expected[in]);
            }
            int kind = random.nextInt(3);
            io.shatter.Shard<Long> shard;
            if (kind == 0) {
                shard = b.compute(Codecs.LONG, ctx -> 0L); // never run: the simulated ranks compute valueOf
                expected[i] = base;
            } else if (kind == 1) {
                shard = b.resumable(Codecs.LONG, Codecs.LONG, new io.shatter.Resumable<Long, Long>() {
                    @Override
                    public Long start(io.shatter.ShardContext ctx) {
                        return 0L;
                    }

                    @Override
                    public Long step(Long s, io.shatter.ShardContext ctx) {
                        return s + 1;
                    }

                    @Override
                    public boolean isDone(Long s) {
                        return true;
                    }

                    @Override
                    public Long finish(Long s, io.shatter.ShardContext ctx) {
                        return s;
                    }
                });
                expected[i] = base;
            } else {
                int blocks = 1 + random.nextInt(40);
                shard = b.parallelFor(0, blocks, 1, Codecs.LONG, (from, to, ctx) -> 0L, (x, y) -> REDUCE.applyAsLong(x, y));
                long acc = partial(base, 0);
                for (int blk = 1; blk < blocks; blk++) {
                    acc = REDUCE.applyAsLong(acc, partial(base, blk));
                }
                expected[i] = acc;
            }
            handles.add(shard);
        }
        return g.build();
    }

    private static long partial(long base, int block) {
        return mix(base, block) & 0xFFFFF;
    }

    /** The value a correct execution of the assignment gives: for a range chunk, its blocks' partials. */
    byte[] outputOf(Command.Assign a, IntToLongFunction valueOf) {
        ShardSpec spec = specs.get(a.shardIndex());
        long base = salt[a.shardIndex()];
        for (int in : spec.inputs()) {
            base = mix(base, valueOf.applyAsLong(in));
        }
        if (spec.kind() != ShardKind.RANGE) {
            return Codecs.LONG.encode(base);
        }
        WireWriter w = new WireWriter(64);
        w.writeVarInt(a.blockTo() - a.blockFrom());
        for (int b = a.blockFrom(); b < a.blockTo(); b++) {
            w.writeBytes(Codecs.LONG.encode(partial(base, b)));
        }
        return w.toFrame();
    }
}
