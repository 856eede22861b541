package io.shatter;

import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On excess capacity the forecaster decides how finely range shards are split. */
class RangeSplitForecastTest {
    private static final int BLOCKS = 800;
    private static final long BLOCK_NANOS = 200_000;
    private static final Duration SAFE_RUN = Duration.ofMillis(1);

    @Test
    void chunksOnExcessShrinkUntilTheForecastGivesTheSlotGoodOdds() {
        RunSummary confident = run(new FixedOdds(Duration.ofDays(1)));
        RunSummary doubtful = run(new FixedOdds(SAFE_RUN));

        // 800 blocks of 0.2 ms in chunks the doubtful forecast accepts (at most 1 ms: 5 blocks) need at least 160 chunks;
        // a confident forecast leaves the chunk size to guided self-scheduling and its 50 ms cap, far fewer chunks.
        assertTrue(doubtful.attemptsStarted() >= BLOCKS * BLOCK_NANOS / SAFE_RUN.toNanos(),
                "doubtful forecast: " + doubtful.attemptsStarted() + " chunks");
        assertTrue(doubtful.attemptsStarted() >= 2 * confident.attemptsStarted(),
                "doubtful " + doubtful.attemptsStarted() + " chunks vs confident " + confident.attemptsStarted());
    }

    private static RunSummary run(CapacityForecaster forecaster) {
        ShardGraph.Builder g = ShardGraph.builder("split");
        Shard<Long> sum = g.shard("sum").parallelFor(0, BLOCKS, 1, Codecs.LONG, (from, to, ctx) -> spinThenSquare(from), Long::sum);
        // Excess ranks only, so that every chunk is split by the excess rule.
        // The placement bar is below the forecaster's 60% for long runs, so chunks are placed; the split's own bar (90%) is not.
        RunResult result = Shatter.run(g.build(), RunConfig.builder().layout(RankLayout.of(0, 2, 0, 1)).forecaster(forecaster)
                .policy(new DefaultPlacementPolicy(0.5)).build());
        long expected = 0;
        for (long i = 0; i < BLOCKS; i++) {
            expected += i * i;
        }
        assertEquals(expected, result.get(sum));
        return result.summary();
    }

    private static long spinThenSquare(long i) {
        long end = System.nanoTime() + BLOCK_NANOS;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        return i * i;
    }

    /** Sure that a slot outlives runs up to {@code safe}; gives longer runs 60%: enough to place (at a bar of 50%), not to take long chunks. */
    private record FixedOdds(Duration safe) implements CapacityForecaster {
        @Override
        public void observe(CapacitySample sample) {
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return 2;
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return runLength.compareTo(safe) <= 0 ? 1.0 : 0.6;
        }
    }
}
