package io.shatter;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CRITICAL shards race a second attempt on spare capacity; the first to finish commits. */
class ShadowExecutionTest {

    /**
     * The primary attempt on the reserved rank is a straggler (it would spin for a minute); the
     * shadow on the spare rank finishes at once, commits, and the straggler is cancelled.
     */
    @Test
    void shadowOnSpareRankBeatsAStragglerWhichIsCancelled() {
        ShardGraph.Builder g = ShardGraph.builder("shadow-wins");
        Shard<Long> critical = g.shard("critical").priority(Priority.CRITICAL).compute(Codecs.LONG, ctx -> {
            if (ctx.capacityClass() == CapacityClass.RESERVED) {
                long end = System.nanoTime() + 60_000_000_000L;
                while (!ctx.isCancelled() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }
            return fib(60);
        });
        long start = System.nanoTime();
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 0, 1).build());

        assertEquals(fib(60), result.get(critical));
        assertEquals(1, result.summary().shadowAttempts());
        assertEquals(1, result.summary().shadowWins(), "the shadow finished first");
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "the straggler was cancelled, not waited for");
    }

    /** The primary attempt throws; its shadow carries the shard on, so no retry is needed. */
    @Test
    void failedPrimaryIsCoveredByItsShadow() {
        ShardGraph.Builder g = ShardGraph.builder("shadow-covers");
        Shard<Long> critical = g.shard("critical").priority(Priority.CRITICAL).retries(0).compute(Codecs.LONG, ctx -> {
            if (ctx.capacityClass() == CapacityClass.RESERVED) {
                throw new IllegalStateException("reserved node has a bad DIMM");
            }
            return fib(50);
        });
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 0, 1).build());

        assertEquals(fib(50), result.get(critical));
        assertEquals(0, result.summary().retries(), "the shadow carried on: no retry was spent");
        assertEquals(1, result.summary().shadowAttempts());
    }

    /** Without spare or excess ranks there is nowhere to shadow: the shard runs once. */
    @Test
    void noShadowWithoutSpareOrExcessCapacity() {
        ShardGraph.Builder g = ShardGraph.builder("no-shadow");
        Shard<Long> critical = g.shard("critical").priority(Priority.CRITICAL).compute(Codecs.LONG, ctx -> fib(40));
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(2, 0, 0).build());

        assertEquals(fib(40), result.get(critical));
        assertEquals(0, result.summary().shadowAttempts());
        assertEquals(1, result.summary().attemptsStarted());
    }

    private static long fib(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }
}
