package io.shatter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property test: many seeded random graphs and schedules mixing shadows, preemptions, revocations
 * and failing attempts. Every run must commit each shard exactly once (a second commit is an
 * internal error that fails the run) and give the result of a sequential evaluation, bit for bit.
 */
class RandomScheduleTest {
    private static final int RUNS = 30;

    @Test
    void everyScheduleCommitsEachShardOnceAndMatchesSequentialRun() {
        long shadows = 0;
        long preemptions = 0;
        long revocations = 0;
        long retries = 0;
        long restores = 0;
        for (int seed = 1; seed <= RUNS; seed++) {
            RandomGraph graph = new RandomGraph(seed);
            Random r = new Random(seed * 7919L);
            int reserved = 1 + r.nextInt(2);
            int excess = 1 + r.nextInt(2);
            int spare = r.nextInt(2);
            RunConfig config = RunConfig.builder()
                    .layout(RankLayout.of(reserved, excess, spare, 1 + r.nextInt(2)))
                    .revokeEvery(Duration.ofMillis(2 + r.nextInt(15)))
                    .revokeGrace(Duration.ofMillis(r.nextInt(4)))
                    .checkpointEvery(Duration.ofMillis(1 + r.nextInt(5)))
                    .seed(seed)
                    .build();
            RunResult result = Shatter.run(graph.graph, config);

            String where = "seed " + seed + " (" + reserved + " reserved, " + excess + " excess, " + spare + " spare)";
            assertEquals(graph.graph.size(), result.summary().shardsCompleted(), where);
            for (int i = 0; i < graph.shards.size(); i++) {
                assertEquals(graph.expected.get(i), result.get(graph.shards.get(i)), where + ": shard " + graph.shards.get(i));
            }
            shadows += result.summary().shadowAttempts();
            preemptions += result.summary().preemptions();
            revocations += result.summary().revocations();
            retries += result.summary().retries();
            restores += result.summary().checkpointRestores();
        }
        // The mix really happened: otherwise this test would prove nothing.
        assertTrue(shadows > 0, "no shadow attempt in " + RUNS + " runs");
        assertTrue(preemptions > 0, "no preemption in " + RUNS + " runs");
        assertTrue(revocations > 0, "no revocation in " + RUNS + " runs");
        assertTrue(retries > 0, "no failed attempt in " + RUNS + " runs");
        assertTrue(restores > 0, "no checkpoint restore in " + RUNS + " runs");
    }

    /**
     * A random DAG of plain, resumable and range shards of every priority, whose values are pure
     * functions of their inputs, with a sequential evaluation alongside. Some shards fail their first
     * attempt; CRITICAL shards arriving late preempt LOW resumable ones.
     */
    private static final class RandomGraph {
        final List<Shard<Long>> shards = new ArrayList<>();
        final List<Long> expected = new ArrayList<>();
        final ShardGraph graph;

        RandomGraph(int seed) {
            Random r = new Random(seed);
            ShardGraph.Builder g = ShardGraph.builder("random-" + seed);
            int n = 12 + r.nextInt(14);
            for (int i = 0; i < n; i++) {
                String id = "s" + i;
                List<Integer> inputs = new ArrayList<>();
                for (int k = 0; k < Math.min(i, 3); k++) {
                    if (r.nextInt(3) == 0) {
                        inputs.add(r.nextInt(i));
                    }
                }
                inputs = inputs.stream().distinct().toList();
                long inputSum = 0;
                for (int in : inputs) {
                    inputSum += expected.get(in);
                }
                Shard<?>[] handles = inputs.stream().map(shards::get).toArray(Shard<?>[]::new);
                List<Shard<Long>> inputShards = inputs.stream().map(shards::get).toList();
                Priority priority = Priority.values()[r.nextInt(Priority.values().length)];
                boolean failsFirst = r.nextInt(5) == 0;
                ShardGraph.ShardBuilder b = g.shard(id).priority(priority).inputs(handles).retries(3);
                int kind = r.nextInt(3);
                long salt = r.nextLong();
                Shard<Long> shard;
                if (kind == 0) {
                    int spinMicros = 200 + r.nextInt(3000);
                    shard = b.compute(Codecs.LONG, ctx -> {
                        if (failsFirst && ctx.attempt() == 1) {
                            throw new ExpectedTestFailure("first attempt of " + id + " fails on purpose");
                        }
                        busy(spinMicros * 1000L);
                        return mix(salt, sumOf(ctx, inputShards));
                    });
                    expected.add(mix(salt, inputSum));
                } else if (kind == 1) {
                    int steps = 20 + r.nextInt(200);
                    shard = b.resumable(Codecs.LONGS, Codecs.LONG, new Resumable<long[], Long>() {
                        @Override
                        public long[] start(ShardContext ctx) {
                            return new long[] {0, mix(salt, sumOf(ctx, inputShards))};
                        }

                        @Override
                        public long[] step(long[] s, ShardContext ctx) {
                            if (failsFirst && ctx.attempt() == 1 && s[0] == steps / 2) {
                                throw new ExpectedTestFailure("first attempt of " + id + " fails on purpose mid-way");
                            }
                            busy(100_000);
                            return new long[] {s[0] + 1, mix(s[1], s[0])};
                        }

                        @Override
                        public boolean isDone(long[] s) {
                            return s[0] >= steps;
                        }

                        @Override
                        public Long finish(long[] s, ShardContext ctx) {
                            return s[1];
                        }
                    });
                    long v = mix(salt, inputSum);
                    for (long s = 0; s < steps; s++) {
                        v = mix(v, s);
                    }
                    expected.add(v);
                } else {
                    long hi = 2_000 + r.nextInt(20_000);
                    long base = mix(salt, inputSum);
                    shard = b.parallelFor(0, hi, 97, Codecs.LONG, (from, to, ctx) -> {
                        long acc = 0;
                        for (long x = from; x < to; x++) {
                            acc += mix(base, x) & 0xFFFF;
                        }
                        return acc;
                    }, Long::sum);
                    long acc = 0;
                    for (long x = 0; x < hi; x++) {
                        acc += mix(base, x) & 0xFFFF;
                    }
                    expected.add(acc);
                }
                shards.add(shard);
            }
            graph = g.build();
        }

        private static long sumOf(ShardContext ctx, List<Shard<Long>> inputs) {
            long sum = 0;
            for (Shard<Long> in : inputs) {
                sum += ctx.input(in);
            }
            return sum;
        }
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static void busy(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** A failure the test asks for: reported without a stack trace. */
    static final class ExpectedTestFailure extends RuntimeException implements ExpectedFailure {
        ExpectedTestFailure(String message) {
            super(message);
        }
    }
}
