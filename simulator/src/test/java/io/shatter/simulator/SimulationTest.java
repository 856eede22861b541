package io.shatter.simulator;

import io.shatter.CapacityClass;
import io.shatter.RankLayout;
import io.shatter.RunSummary;
import io.shatter.ShardGraph;
import io.shatter.broker.EventSource;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.spi.PersistenceForecaster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulationTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static SimulationConfig config(RankLayout layout, long latency, long revokeEvery, long grace, OptionalInt coresPerExcessRank,
                                           long seed) {
        return new SimulationConfig(layout, latency, 200 * MS, revokeEvery, grace, coresPerExcessRank, true, false,
                500_000_000L, MS, 0, seed, 1000L * 3600 * S);
    }

    private static SimulationReport run(ShardGraph graph, SimulationConfig config, WorkModel work, List<EventSource> sources,
                                        SimClock clock) {
        Simulation sim = new Simulation(graph, config, work, new DefaultPlacementPolicy(), new PersistenceForecaster(), clock, sources);
        return sim.run(null);
    }

    /** A summary without the one field measured on the wall clock. */
    private static RunSummary simulatedPart(RunSummary s) {
        return new RunSummary(s.graph(), s.makespanSeconds(), s.shardsTotal(), s.shardsCompleted(), s.attemptsStarted(), s.preemptions(),
                s.revocations(), s.lostAttempts(), s.lostWorkSeconds(), s.retries(), s.staleResultsDropped(), s.checkpointsSaved(),
                s.checkpointBytes(), s.checkpointRestores(), s.resumedFromJournal(), s.busyFraction(), s.shardsByRank(), 0,
                s.failedShard(), s.shadowAttempts(), s.shadowWins(), s.preemptionLatencyMaxSeconds(), s.capacitySamples(),
                s.placementsHeldByForecast());
    }

    @Test
    void aFarmOfFixedShardsTakesWhatArithmeticSays() {
        ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.FARM, 1000, 1, 0, 1, false, 1);
        WorkModel work = new WorkModel(graph.shards(), S, Map.of(), 0, 1, 0, 0, 1);
        SimulationReport r = run(graph, config(RankLayout.of(10, 0, 0, 1), 0, 0, 0, OptionalInt.empty(), 1), work, List.of(), new SimClock());
        assertTrue(r.failure().isEmpty(), r.failure().toString());
        assertEquals(1000, r.summary().shardsCompleted());
        assertEquals(1000, r.summary().attemptsStarted());
        // 100 rounds of 1 s on 10 ranks, no latency: exactly 100 s.
        assertEquals(100.0, r.summary().makespanSeconds(), 1e-9);
        assertEquals(1.0, r.summary().busyFraction().get(CapacityClass.RESERVED), 1e-9);
    }

    @Test
    void ranksSharingAHostsCpusRunAsFastAsTheCpusAllow() {
        ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.FARM, 999, 1, 0, 1, false, 1);
        WorkModel work = new WorkModel(graph.shards(), S, Map.of(), 0, 1, 0, 0, 1);
        // 1.5: what the runtime's own threads leave of 2 CPUs (simulator/fidelity.py measures it).
        for (double cpus : new double[] {2, 1.5}) {
            for (int ranks : new int[] {2, 3, 4}) {
                SimulationConfig base = config(RankLayout.of(ranks, 0, 0, 1), 0, 0, 0, OptionalInt.empty(), 1);
                SimulationConfig shared = new SimulationConfig(base.layout(), 0, base.checkpointEveryNanos(), 0, 0, OptionalInt.empty(),
                        true, false, base.storeBytesPerSecond(), base.storeFileNanos(), cpus, 1, base.maxSimulatedNanos());
                SimulationReport r = run(graph, shared, work, List.of(), new SimClock());
                assertEquals(999, r.summary().shardsCompleted());
                // Rounds of `ranks` 1 s shards, each lane at min(1, cpus / lanes busy); the last round has the remainder.
                int rest = 999 % ranks;
                double expected = (999 / ranks) * Math.max(1.0, ranks / cpus) + (rest == 0 ? 0 : Math.max(1.0, rest / cpus));
                assertEquals(expected, r.summary().makespanSeconds(), 1e-6, ranks + " ranks on " + cpus + " CPUs");
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnother() {
        ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.LAYERED, 3000, 10, 2, 1, true, 5);
        RunSummary[] summaries = new RunSummary[3];
        long[] events = new long[3];
        long[] seeds = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            WorkModel work = new WorkModel(graph.shards(), 50 * MS, Map.of(), 0.8, 10, 1 << 20, 0.02, seeds[i]);
            SimulationReport r = run(graph, config(RankLayout.of(6, 10, 0, 2), 50_000, 100 * MS, 20 * MS, OptionalInt.empty(), seeds[i]),
                    work, List.of(), new SimClock());
            assertTrue(r.failure().isEmpty(), r.failure().toString());
            summaries[i] = simulatedPart(r.summary());
            events[i] = r.events();
        }
        assertEquals(summaries[0], summaries[1]);
        assertEquals(events[0], events[1]);
        assertTrue(!summaries[0].equals(summaries[2]), "another seed gives another run");
        // The mix really happened: revocations, checkpoints, failures retried.
        assertTrue(summaries[0].revocations() > 10, summaries[0].toString());
        assertTrue(summaries[0].checkpointsSaved() > 0 && summaries[0].checkpointRestores() > 0, summaries[0].toString());
        assertTrue(summaries[0].retries() > 0, summaries[0].toString());
    }

    @Test
    void resumableShardsKeepTheirWorkAcrossRevocationsWherePlainOnesLoseIt() {
        double[] lost = new double[2];
        for (int resumable = 0; resumable < 2; resumable++) {
            ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.FARM, 200, 1, 0, 1, resumable == 1, 3);
            WorkModel work = new WorkModel(graph.shards(), S, Map.of(), 0, 100, 1 << 20, 0, 3);
            SimulationReport r = run(graph, config(RankLayout.of(2, 8, 0, 1), 50_000, 500 * MS, 200 * MS, OptionalInt.empty(), 3),
                    work, List.of(), new SimClock());
            assertEquals(200, r.summary().shardsCompleted());
            lost[resumable] = r.summary().lostWorkSeconds();
            if (resumable == 1) {
                assertTrue(r.summary().preemptions() > 0 && r.summary().checkpointRestores() > 0, r.summary().toString());
            }
        }
        assertTrue(lost[1] < lost[0] / 2, "lost work: plain " + lost[0] + " s, resumable " + lost[1] + " s");
    }

    @Test
    void excessRanksFollowTheTracesIdleCores() {
        // A machine of 100 cores: idle 100 for an hour, then 0 for an hour, then 100 again (5-minute steps).
        int steps = 36;
        int[] idle = new int[steps];
        for (int k = 0; k < steps; k++) {
            idle[k] = k >= 12 && k < 24 ? 0 : 100;
        }
        CapacitySeries series = new CapacitySeries("test", "excess", 0, 300, 100, ZoneId.of("UTC"), idle, new int[steps], null, 0, List.of());
        CapacitySeries scaled = TraceCapacity.scaled(series, 8, 1);
        assertEquals(8, scaled.totalCores());
        SimClock clock = new SimClock();
        EventSource feed = TraceCapacity.feed(scaled, 0, 8, 1, clock, Duration.ofSeconds(60));
        ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.FARM, 800, 1, 0, 1, false, 1);
        WorkModel work = new WorkModel(graph.shards(), 60 * S, Map.of(), 0, 1, 0, 0, 1);
        SimulationReport r = run(graph, config(RankLayout.of(2, 8, 0, 1), 50_000, 0, 30 * S, OptionalInt.of(1), 1), work,
                List.of(feed), clock);
        assertTrue(r.failure().isEmpty(), r.failure().toString());
        assertEquals(800, r.summary().shardsCompleted());
        assertEquals(8, r.summary().revocations(), "every excess rank goes when the idle cores do");
        assertTrue(r.summary().capacitySamples() > 0);
        // 800 one-minute shards: 80 min on 10 ranks, but from minute 60 to 120 only the 2 reserved ranks run (600 + 120
        // shards done by then), and the last 80 take 8 minutes more on all 10.
        assertEquals(128 * 60, r.summary().makespanSeconds(), 60, r.summary().toString());
    }
}
