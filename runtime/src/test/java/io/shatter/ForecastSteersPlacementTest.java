package io.shatter;

import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.ExcessWorkerPool;
import io.shatter.spi.PersistenceForecaster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end through the production broker (loop thread, wire frames, worker threads): capacity
 * samples from an excess-worker pool (as the Slurm monitor sends them) reach the broker's own
 * forecaster, and its forecast steers placement. A forecaster that reads the falling samples as a
 * collapse of the excess partition keeps long shards off the excess ranks; persistence, in the same
 * run otherwise, uses them. Both give the sequential result.
 */
class ForecastSteersPlacementTest {
    private static final int SHARDS = 12;
    /** Idle cores of the excess partition, falling: a collapse on its way. */
    private static final int[] IDLE = {64, 48, 32, 16};

    /** Samples the partition like the Slurm monitor, before any worker joins; never submits anything. */
    private static final class SamplingPool implements ExcessWorkerPool {
        final List<Integer> requested = new ArrayList<>();

        @Override
        public int maxWorkers() {
            return 2;
        }

        @Override
        public int coresEach() {
            return 1;
        }

        @Override
        public void start(Consumer<CapacitySample> samples) {
            for (int i = 0; i < IDLE.length; i++) {
                samples.accept(new CapacitySample(i * 60L, "excess", 128, IDLE[i], 0));
            }
        }

        @Override
        public synchronized void request(int workers) {
            requested.add(workers);
        }

        @Override
        public void close() {
        }
    }

    /** Reads a falling partition as a collapse: a slot taken now is unlikely to outlive a long shard. */
    private static final class CollapseForecaster implements CapacityForecaster {
        private final List<Integer> seen = new ArrayList<>();

        @Override
        public void observe(CapacitySample sample) {
            seen.add(sample.idleCores());
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return 0;
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            boolean falling = seen.size() >= 2 && seen.get(seen.size() - 1) < seen.get(seen.size() - 2);
            return falling ? 0.05 : 1.0;
        }
    }

    private static RunResult run(CapacityForecaster forecaster, SamplingPool pool, ShardGraph graph) {
        RunConfig config = RunConfig.builder().layout(RankLayout.of(2, 2, 0, 1)).forecaster(forecaster).excessWorkers(pool)
                .shadows(false).build();
        return Shatter.run(graph, config);
    }

    private static ShardGraph graph(List<Shard<Long>> handles) {
        ShardGraph.Builder g = ShardGraph.builder("forecast-steers");
        for (int i = 0; i < SHARDS; i++) {
            long seed = i;
            handles.add(g.shard("long-" + i).compute(Codecs.LONG, ctx -> {
                RandomScheduleTest.busy(30_000_000); // long enough that the forecast matters
                return RandomScheduleTest.mix(seed, 7);
            }));
        }
        return g.build();
    }

    private static long onExcess(RunSummary s) {
        return s.shardsByRank().get(3) + s.shardsByRank().get(4);
    }

    @Test
    void aForecastCollapseKeepsLongShardsOffExcessRanksWherePersistenceUsesThem() {
        List<Shard<Long>> handles = new ArrayList<>();
        ShardGraph graph = graph(handles);

        RunResult persistence = run(new PersistenceForecaster(), new SamplingPool(), graph);
        RunResult collapse = run(new CollapseForecaster(), new SamplingPool(), graph);

        for (int i = 0; i < SHARDS; i++) {
            long sequential = RandomScheduleTest.mix(i, 7);
            assertEquals(sequential, persistence.get(handles.get(i)));
            assertEquals(sequential, collapse.get(handles.get(i)));
        }
        assertEquals(IDLE.length, persistence.summary().capacitySamples(), "every sample reaches the broker's forecaster");
        assertEquals(IDLE.length, collapse.summary().capacitySamples());
        assertTrue(onExcess(persistence.summary()) > 0, "persistence uses the excess ranks: " + persistence.summary().shardsByRank());
        assertEquals(0, onExcess(collapse.summary()), "the collapse forecast keeps long shards off excess ranks: "
                + collapse.summary().shardsByRank());
        assertTrue(collapse.summary().placementsHeldByForecast() > 0);
        assertEquals(0, persistence.summary().placementsHeldByForecast());
    }
}
