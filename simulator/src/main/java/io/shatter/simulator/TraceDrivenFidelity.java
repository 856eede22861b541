package io.shatter.simulator;

import io.shatter.Codecs;
import io.shatter.ExcessCapacityFeed;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.RunSummary;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.TraceReplay;
import io.shatter.predictor.Traces;
import io.shatter.spi.PersistenceForecaster;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The simulator beside the trace-driven excess run (the benchmarks' {@code TraceDrivenExcessRun},
 * persistence arm): from each of several starts in a log's held-out last 20%, a real local run
 * (2 reserved and 6 excess ranks, plain shards that sleep, so the machine's load hardly matters;
 * excess ranks revoked and restored by the production capacity feed replaying the log at one log
 * hour per second) and its simulation (the same graph, layout, feed and forecaster, on the log's
 * own clock). Prints attempts, revocations, lost work and makespan of both, in log time.
 *
 * <pre>
 * java -cp "cli/target/shatter.jar:cli/target/lib/*" io.shatter.simulator.TraceDrivenFidelity LOG [starts=6] [shards=48] [shard-minutes=40]
 * </pre>
 */
public final class TraceDrivenFidelity {
    /** Log seconds per wall-clock second in the real run, as in TraceDrivenExcessRun. */
    private static final double TIME_SCALE = 3600;
    private static final int EXCESS = 6;
    private static final int RESERVED = 2;
    private static final Duration REAL_POLL = Duration.ofMillis(20);

    private TraceDrivenFidelity() {
    }

    /** One start: the real run and its simulation, figures in log hours. */
    public record Row(double startDay, RunSummary real, RunSummary simulated) {
        public double realMakespanHours() {
            return real.makespanSeconds() * TIME_SCALE / 3600;
        }

        public double simulatedMakespanHours() {
            return simulated.makespanSeconds() / 3600;
        }

        public double realLostHours() {
            return real.lostWorkSeconds() * TIME_SCALE / 3600;
        }

        public double simulatedLostHours() {
            return simulated.lostWorkSeconds() / 3600;
        }
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: TraceDrivenFidelity LOG [starts=6] [shards=48] [shard-minutes=40]");
            System.exit(2);
        }
        CapacitySeries series = Traces.load(Path.of(args[0]), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        int starts = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int shards = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        int shardMinutes = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        System.out.printf(Locale.ROOT, "%s: %d reserved + %d excess ranks (alive = min(%d, idle / %d)), %d plain shards of %d log "
                + "minutes, persistence; real: one log hour per second; figures in log hours%n", series.source(), RESERVED, EXCESS,
                EXCESS, TraceReplay.defaultCoresPerRank(series, EXCESS), shards, shardMinutes);
        System.out.println("| start (log day) | attempts real / sim | revocations real / sim | lost work real / sim (h) | makespan real / sim (h) | sim / real |");
        System.out.println("|---|---|---|---|---|---|");
        List<Row> rows = compare(series, starts, shards, shardMinutes, r -> System.out.printf(Locale.ROOT,
                "| %.1f | %d / %d | %d / %d | %.2f / %.2f | %.2f / %.2f | %.2f |%n", r.startDay(), r.real().attemptsStarted(),
                r.simulated().attemptsStarted(), r.real().revocations(), r.simulated().revocations(), r.realLostHours(),
                r.simulatedLostHours(), r.realMakespanHours(), r.simulatedMakespanHours(),
                r.simulatedMakespanHours() / r.realMakespanHours()));
        double realMakespan = rows.stream().mapToDouble(Row::realMakespanHours).sum();
        double simMakespan = rows.stream().mapToDouble(Row::simulatedMakespanHours).sum();
        double realLost = rows.stream().mapToDouble(Row::realLostHours).sum();
        double simLost = rows.stream().mapToDouble(Row::simulatedLostHours).sum();
        System.out.printf(Locale.ROOT, "| all | | | %.2f / %.2f (%.2f) | %.2f / %.2f | %.2f |%n", realLost, simLost,
                simLost / Math.max(1e-9, realLost), realMakespan, simMakespan, simMakespan / realMakespan);
    }

    /** Real runs and simulations from {@code starts} points spread over the log's held-out last 20%, each row handed on when done. */
    public static List<Row> compare(CapacitySeries series, int starts, int shards, int shardMinutes, java.util.function.Consumer<Row> each) {
        int coresPerRank = TraceReplay.defaultCoresPerRank(series, EXCESS);
        int from = (int) Math.ceil(series.length() * (1 - TimeSplit.TEST_FRACTION));
        int runSteps = (int) Math.ceil((double) shards * shardMinutes / RESERVED / 5) + 1;
        int usable = series.length() - from - runSteps;
        if (usable <= 0) {
            throw new IllegalArgumentException("the log's held-out last 20% is too short for this workload");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            int start = from + (starts == 1 ? 0 : (int) ((long) usable * i / (starts - 1)));
            Row row = new Row(start * series.stepSeconds() / 86_400.0, real(series, start, shards, shardMinutes, coresPerRank),
                    simulated(series, start, shards, shardMinutes, coresPerRank));
            rows.add(row);
            each.accept(row);
        }
        return rows;
    }

    private static ShardGraph graph(int shards, long shardNanos, List<Shard<Long>> handles) {
        ShardGraph.Builder g = ShardGraph.builder("trace-driven");
        for (int i = 0; i < shards; i++) {
            long index = i;
            Shard<Long> shard = g.shard("work-" + i).compute(Codecs.LONG, ctx -> {
                long end = System.nanoTime() + shardNanos;
                while (System.nanoTime() < end && !ctx.isCancelled()) {
                    Thread.sleep(2);
                }
                return index * index;
            });
            if (handles != null) {
                handles.add(shard);
            }
        }
        return g.build();
    }

    private static PersistenceForecaster forecaster(CapacitySeries series, int start) {
        PersistenceForecaster f = new PersistenceForecaster();
        TraceCapacity.warmUp(f, series, start);
        return f;
    }

    private static RunSummary real(CapacitySeries series, int start, int shards, int shardMinutes, int coresPerRank) {
        long shardNanos = Math.round(shardMinutes * 60 / TIME_SCALE * 1e9);
        List<Shard<Long>> handles = new ArrayList<>();
        ShardGraph graph = graph(shards, shardNanos, handles);
        TraceReplay replay = new TraceReplay(series, Duration.ofSeconds((long) start * series.stepSeconds()), TIME_SCALE, EXCESS,
                coresPerRank, System::nanoTime);
        RunConfig config = RunConfig.builder().layout(RankLayout.of(RESERVED, EXCESS, 0, 1)).forecaster(forecaster(series, start))
                .policy(new DefaultPlacementPolicy()).revokeGrace(Duration.ZERO)
                .excessCapacityFeed(new ExcessCapacityFeed(replay, coresPerRank, REAL_POLL)).build();
        RunResult result = Shatter.run(graph, config);
        for (int i = 0; i < shards; i++) {
            if (result.get(handles.get(i)) != (long) i * i) {
                throw new IllegalStateException("shard " + i + " has a wrong result");
            }
        }
        return result.summary();
    }

    private static RunSummary simulated(CapacitySeries series, int start, int shards, int shardMinutes, int coresPerRank) {
        ShardGraph graph = graph(shards, 1, null);
        long shardNanos = shardMinutes * 60_000_000_000L;
        WorkModel work = new WorkModel(graph.shards(), shardNanos, Map.of(), 0, 1, 0, 0, 1);
        long scale = (long) TIME_SCALE;
        SimulationConfig config = new SimulationConfig(RankLayout.of(RESERVED, EXCESS, 0, 1), 50_000 * scale, 200_000_000 * scale, 0, 0,
                OptionalInt.of(coresPerRank), true, false, 500_000_000, 1_000_000, 0, 1, Long.MAX_VALUE / 4);
        SimClock clock = new SimClock();
        Simulation sim = new Simulation(graph, config, work, new DefaultPlacementPolicy(), forecaster(series, start), clock,
                List.of(TraceCapacity.feed(series, start, EXCESS, coresPerRank, clock, REAL_POLL.multipliedBy(scale))));
        SimulationReport report = sim.run(null);
        if (report.failure().isPresent()) {
            throw new IllegalStateException("the simulation did not finish: " + report.failure().get());
        }
        return report.summary();
    }
}
