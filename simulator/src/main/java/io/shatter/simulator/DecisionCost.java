package io.shatter.simulator;

import io.shatter.RankLayout;
import io.shatter.ShardGraph;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Traces;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.PersistenceForecaster;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The broker core's CPU time per shard decision at several rank counts, on the same workload: a
 * farm of log-normal shards, a quarter of the ranks reserved and the rest excess, following a
 * workload log. Each rank count is simulated once with its calls to the core recorded, then the
 * calls are replayed into fresh cores, {@value #REPLAYS} times, and the best and the median of the
 * replays' thread CPU times are reported: the first replays also warm the JIT up, and the best is
 * the one least disturbed by other work on a shared machine. Thread CPU time leaves out the
 * collector's own threads; the collections and their pause time during the replays are reported
 * beside the figures, so a replay that paid for more garbage shows. Give several rank counts in
 * alternation (16 10000 16 10000) to see the spread.
 *
 * <pre>
 * java -cp cli/target/shatter.jar io.shatter.simulator.DecisionCost LOG SHARDS RANKS...
 * </pre>
 */
public final class DecisionCost {
    private static final int REPLAYS = 7;

    private DecisionCost() {
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: DecisionCost LOG SHARDS RANKS...");
            System.exit(2);
        }
        CapacitySeries series = Traces.load(Path.of(args[0]), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        int shards = Integer.parseInt(args[1]);
        ShardGraph graph = SyntheticGraphs.build(SyntheticGraphs.Shape.FARM, shards, 1, 0, 1, false, 1);
        for (int a = 2; a < args.length; a++) {
            int ranks = Integer.parseInt(args[a]);
            int reserved = Math.max(1, ranks / 4);
            int excess = ranks - reserved;
            RankLayout layout = RankLayout.of(reserved, excess, 0, 1);
            CapacitySeries scaled = TraceCapacity.scaled(series, excess, 1);
            int start = TraceCapacity.startStep(scaled, 100);
            WorkModel work = new WorkModel(graph.shards(), 60_000_000_000L, Map.of(), 0.5, 1, 0, 0, 1);
            SimulationConfig config = new SimulationConfig(layout, 50_000, 200_000_000, 0, 30_000_000_000L, OptionalInt.of(1), true,
                    false, 500_000_000, 1_000_000, 0, 1, Long.MAX_VALUE / 4);
            SimClock clock = new SimClock();
            Simulation sim = new Simulation(graph, config, work, new DefaultPlacementPolicy(), forecaster(scaled, start), clock,
                    List.of(TraceCapacity.feed(scaled, start, excess, 1, clock, Duration.ofSeconds(60))));
            CoreCalls calls = new CoreCalls();
            sim.record(calls);
            SimulationReport report = sim.run(null);
            long attempts = report.summary().attemptsStarted();
            long[] cpu = new long[REPLAYS];
            long[] gcBefore = collections();
            for (int r = 0; r < REPLAYS; r++) {
                BrokerCore core = new BrokerCore(graph, config.coreSettings(), new DefaultPlacementPolicy(), forecaster(scaled, start),
                        c -> { });
                cpu[r] = calls.replayCpuNanos(core);
                // The replay must have made the same decisions, or it measured something else.
                io.shatter.RunSummary replayed = core.summary(0, report.simulatedNanos());
                if (replayed.attemptsStarted() != attempts || replayed.shardsCompleted() != report.summary().shardsCompleted()
                        || replayed.staleResultsDropped() != report.summary().staleResultsDropped()
                        || replayed.revocations() != report.summary().revocations()) {
                    throw new IllegalStateException("the replay diverged from the simulation: " + replayed + " vs " + report.summary());
                }
            }
            long[] gcAfter = collections();
            Arrays.sort(cpu);
            System.out.printf(Locale.ROOT, "ranks %6d (%d reserved, %d excess): %d attempts, %d revocations, %d core calls; "
                            + "core CPU %.0f ns per attempt (best of %d replays; median %.0f); %d collections, %d ms, during the replays%n",
                    ranks, reserved, excess, attempts, report.summary().revocations(), calls.size(), (double) cpu[0] / attempts, REPLAYS,
                    (double) cpu[REPLAYS / 2] / attempts, gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);
        }
    }

    /** Collections so far and their total time in milliseconds, over every collector. */
    private static long[] collections() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static CapacityForecaster forecaster(CapacitySeries scaled, int start) {
        PersistenceForecaster f = new PersistenceForecaster();
        TraceCapacity.warmUp(f, scaled, start);
        return f;
    }
}
