package io.shatter;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole runs on local ranks, each checked against a sequential computation of the same thing. */
class LocalRunTest {

    /** A chain of dependent shards plus a fan-in: outputs travel between ranks as bytes. */
    @Test
    void dagResultEqualsSequentialComputation() {
        ShardGraph.Builder g = ShardGraph.builder("dag");
        List<Shard<double[]>> leaves = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int seed = i;
            leaves.add(g.shard("leaf-" + i).compute(Codecs.DOUBLES, ctx -> series(seed, 1000)));
        }
        Shard<Double> sum = g.shard("sum").inputs(leaves.toArray(new Shard<?>[0])).priority(Priority.HIGH)
                .compute(Codecs.DOUBLE, ctx -> {
                    double s = 0;
                    for (Shard<double[]> leaf : leaves) {
                        for (double v : ctx.input(leaf)) {
                            s += v;
                        }
                    }
                    return s;
                });
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(2, 1, 0).build());

        double expected = 0;
        for (int i = 0; i < 20; i++) {
            for (double v : series(i, 1000)) {
                expected += v;
            }
        }
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(result.get(sum)));
        assertArrayEquals(series(3, 1000), result.get(leaves.get(3)));
        assertEquals(21, result.summary().shardsCompleted());
    }

    /** The reduction runs block by block in index order, so any split gives the sequential fold's bits. */
    @Test
    void parallelForIsBitExactWithSequentialFold() {
        long n = 1_000_003;
        long grain = 997;
        ShardGraph.Builder g = ShardGraph.builder("range");
        Shard<Double> total = g.shard("harmonic").parallelFor(1, n, grain, Codecs.DOUBLE, (from, to, ctx) -> harmonic(from, to), Double::sum);
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 2, 0).revokeEvery(Duration.ofMillis(5)).build());

        Double expected = null;
        for (long from = 1; from < n; from += grain) {
            double part = harmonic(from, Math.min(n, from + grain));
            expected = expected == null ? part : expected + part;
        }
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(result.get(total)));
    }

    /** A shard that always throws fails the run, naming the shard and the cause, after its retries. */
    @Test
    void alwaysFailingShardNamesShardAndCause() {
        ShardGraph.Builder g = ShardGraph.builder("failing");
        Shard<Integer> ok = g.shard("fine").compute(Codecs.INT, ctx -> 1);
        g.shard("broken").inputs(ok).retries(1).compute(Codecs.INT, ctx -> {
            throw new IllegalStateException("disk on fire");
        });
        ShardFailedException e = assertThrows(ShardFailedException.class,
                () -> Shatter.run(g.build(), RunConfig.builder().ranks(2, 0, 0).build()));
        assertEquals("broken", e.shardId());
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        assertTrue(e.getMessage().contains("2 attempts"), e.getMessage());
        assertNotNull(e.summary());
        assertEquals(1, e.summary().shardsCompleted());
        assertEquals(1, e.summary().retries());
    }

    static double[] series(int seed, int n) {
        double[] out = new double[n];
        double x = seed + 0.5;
        for (int i = 0; i < n; i++) {
            x = (x * 1.000173 + 0.31) % 7.0;
            out[i] = Math.sin(x) / (i + 1);
        }
        return out;
    }

    static double harmonic(long from, long to) {
        double s = 0;
        for (long k = from; k < to; k++) {
            s += 1.0 / k;
        }
        return s;
    }
}
