package io.shatter.simulator;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.RunSummary;
import io.shatter.ShardGraph;
import io.shatter.broker.policy.Candidate;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.broker.policy.Placement;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.broker.policy.RankView;
import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.OracleForecaster;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.TraceReplay;
import io.shatter.predictor.Traces;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.EmpiricalSurvivalForecaster;
import io.shatter.spi.PersistenceForecaster;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The benchmarks' trace-driven excess run ({@code TraceDrivenExcessRun}: 2 reserved + 6 excess
 * ranks following a log's idle cores, plain shards that lose their whole run when revoked), simulated
 * on the log's own clock, so that many starts cost seconds and the same arguments give the same
 * figures. Arms: persistence, an oracle that knows the log's future, E and the model, each at
 * every bar given; every forecaster first sees the 30 days before the start. Besides lost work and
 * makespan it says what the excess placements were: how many, how many lived through their run,
 * and, for the E and model arms, what the other forecaster (fed the same samples) answered for the
 * same slots, so that the decisions where the two differ can be counted.
 *
 * <pre>
 * java -cp "cli/target/shatter.jar:cli/target/lib/*" io.shatter.simulator.TraceDrivenStudy LOG MODEL [starts=40] [shards=96]
 *     [shard-minutes=40] [bars=0.9] [period=test|validation]
 * </pre>
 */
public final class TraceDrivenStudy {
    private static final int EXCESS = 6;
    private static final int RESERVED = 2;
    private static final int WARM_UP_STEPS = EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS;
    /** The real run's feed polls every 20 ms at one log hour per second: 72 log seconds. */
    private static final Duration POLL = Duration.ofSeconds(72);

    private TraceDrivenStudy() {
    }

    /** Excess placements of one arm, summed over the starts. */
    static final class Decisions {
        int placed;
        int survived;
        /** Placements where the other forecaster's answer was below the bar, and how many of those lived. */
        int otherWouldDecline;
        int otherWouldDeclineSurvived;
        /** Per slot level (1 = the lowest excess rank): placements and survivors. */
        final int[] placedAt = new int[EXCESS + 1];
        final int[] survivedAt = new int[EXCESS + 1];
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TraceDrivenStudy LOG MODEL [starts=40] [shards=96] [shard-minutes=40] [bars=0.9] [period=test|validation]");
            System.exit(2);
        }
        CapacitySeries series = Traces.load(Path.of(args[0]), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        CapacityModel model = CapacityModel.load(Path.of(args[1]));
        int starts = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int shards = args.length > 3 ? Integer.parseInt(args[3]) : 96;
        int shardMinutes = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        List<Double> bars = new ArrayList<>();
        for (String bar : (args.length > 5 ? args[5] : "0.9").split(",")) {
            bars.add(Double.parseDouble(bar));
        }
        boolean validation = args.length > 6 && args[6].equals("validation");
        int coresPerRank = TraceReplay.defaultCoresPerRank(series, EXCESS);
        int periodFrom = (int) Math.ceil(series.length() * (1 - TimeSplit.TEST_FRACTION - (validation ? TimeSplit.VALIDATION_FRACTION : 0)));
        int periodTo = validation ? (int) Math.ceil(series.length() * (1 - TimeSplit.TEST_FRACTION)) : series.length();
        int runSteps = (int) Math.ceil((double) shards * shardMinutes / RESERVED / 5) + 1;
        int usable = periodTo - periodFrom - runSteps;
        System.out.printf(Locale.ROOT, "%s: %d cores, %d reserved + %d excess ranks of %d idle cores, %d plain shards of %d log minutes, "
                        + "%d starts in the %s period, bars %s (simulated)%n", series.source(), series.totalCores(), RESERVED, EXCESS,
                coresPerRank, shards, shardMinutes, starts, validation ? "validation" : "test", bars);
        List<String> names = new ArrayList<>();
        List<Supplier<CapacityForecaster>> forecasters = new ArrayList<>();
        List<Supplier<CapacityForecaster>> others = new ArrayList<>();
        List<Double> armBars = new ArrayList<>();
        Supplier<CapacityForecaster> empirical = () -> new EmpiricalSurvivalForecaster(series.stepSeconds(), WARM_UP_STEPS);
        Supplier<CapacityForecaster> modelArm = () -> {
            ModelForecaster f = new ModelForecaster(model, series.zone());
            f.recalibration().slotCores(coresPerRank);
            return f;
        };
        names.add("persistence");
        forecasters.add(PersistenceForecaster::new);
        others.add(null);
        armBars.add(bars.get(0));
        names.add("oracle");
        forecasters.add(() -> new OracleForecaster(series));
        others.add(null);
        armBars.add(bars.get(0));
        for (double bar : bars) {
            names.add("E @" + bar);
            forecasters.add(empirical);
            others.add(modelArm);
            armBars.add(bar);
            names.add("model @" + bar);
            forecasters.add(modelArm);
            others.add(empirical);
            armBars.add(bar);
        }
        double[] lost = new double[names.size()];
        double[] makespan = new double[names.size()];
        Decisions[] decisions = new Decisions[names.size()];
        for (int a = 0; a < names.size(); a++) {
            decisions[a] = new Decisions();
        }
        for (int i = 0; i < starts; i++) {
            int start = periodFrom + (starts == 1 ? 0 : (int) ((long) usable * i / (starts - 1)));
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "day %6.1f", start * series.stepSeconds() / 86_400.0));
            for (int a = 0; a < names.size(); a++) {
                RunSummary s = simulate(series, start, shards, shardMinutes, coresPerRank, forecasters.get(a).get(),
                        others.get(a) == null ? null : others.get(a).get(), armBars.get(a), decisions[a]);
                lost[a] += s.lostWorkSeconds() / 3600;
                makespan[a] += s.makespanSeconds() / 3600;
                row.append(String.format(Locale.ROOT, " | %6.2f %6.2f", s.lostWorkSeconds() / 3600, s.makespanSeconds() / 3600));
            }
            System.out.println(row);
        }
        System.out.println("| arm | lost work (shard-h) | x persistence | makespan (h) | x persistence | excess placements | lived | "
                + "of them the other forecaster declines (lived) | lived by slot level 1..6 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int a = 0; a < names.size(); a++) {
            Decisions d = decisions[a];
            StringBuilder levels = new StringBuilder();
            for (int j = 1; j <= EXCESS; j++) {
                levels.append(j == 1 ? "" : " ").append(d.survivedAt[j]).append('/').append(d.placedAt[j]);
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.3f | %.2f | %.3f | %d | %.1f%% | %s | %s |%n", names.get(a), lost[a],
                    lost[a] / Math.max(1e-9, lost[0]), makespan[a], makespan[a] / makespan[0], d.placed,
                    100.0 * d.survived / Math.max(1, d.placed),
                    others.get(a) == null ? "-" : d.otherWouldDecline + " (" + d.otherWouldDeclineSurvived + ")", levels);
        }
        for (int b = 0; b < bars.size(); b++) {
            int e = 2 + 2 * b;
            System.out.printf(Locale.ROOT, "RATIOS at bar %s: lost work E/persistence %.3f, model/E %.3f; makespan E/persistence %.3f, "
                            + "model/persistence %.3f%n", bars.get(b), lost[e] / Math.max(1e-9, lost[0]), lost[e + 1] / Math.max(1e-9, lost[e]),
                    makespan[e] / makespan[0], makespan[e + 1] / makespan[0]);
        }
    }

    private static RunSummary simulate(CapacitySeries series, int start, int shards, int shardMinutes, int coresPerRank,
                                       CapacityForecaster forecaster, CapacityForecaster other, double bar, Decisions decisions) {
        ShardGraph.Builder g = ShardGraph.builder("trace-driven");
        for (int i = 0; i < shards; i++) {
            g.shard("work-" + i).compute(Codecs.LONG, ctx -> 0L);
        }
        ShardGraph graph = g.build();
        WorkModel work = new WorkModel(graph.shards(), shardMinutes * 60_000_000_000L, Map.of(), 0, 1, 0, 0, 1);
        long scale = 3600;
        SimulationConfig config = new SimulationConfig(RankLayout.of(RESERVED, EXCESS, 0, 1), 50_000 * scale, 200_000_000 * scale, 0, 0,
                OptionalInt.of(coresPerRank), true, false, 500_000_000, 1_000_000, 0, 1, Long.MAX_VALUE / 4);
        SimClock clock = new SimClock();
        for (int k = Math.max(0, start - WARM_UP_STEPS); k < start; k++) {
            forecaster.observe(series.sampleAt(k));
            if (other != null) {
                other.observe(series.sampleAt(k));
            }
        }
        CapacityForecaster observed = other == null ? forecaster : new Both(forecaster, other);
        PlacementPolicy policy = new Recording(new DefaultPlacementPolicy(bar), series, start, coresPerRank, clock, other, bar, decisions);
        Simulation sim = new Simulation(graph, config, work, policy, observed, clock,
                List.of(TraceCapacity.feed(series, start, EXCESS, coresPerRank, clock, POLL)));
        SimulationReport report = sim.run(null);
        if (report.failure().isPresent()) {
            throw new IllegalStateException("the simulation did not finish: " + report.failure().get());
        }
        return report.summary();
    }

    /** The arm's forecaster, with the other one fed the same samples (asked only by {@link Recording}). */
    private record Both(CapacityForecaster arm, CapacityForecaster other) implements CapacityForecaster {
        @Override
        public void observe(CapacitySample sample) {
            arm.observe(sample);
            other.observe(sample);
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return arm.expectedIdleCores(horizon);
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return arm.survivalProbability(runLength, excessCores);
        }
    }

    /** The default policy, noting each excess placement with its outcome on the log and the other forecaster's answer. */
    private record Recording(PlacementPolicy policy, CapacitySeries series, int start, int coresPerRank, SimClock clock,
                             CapacityForecaster other, double bar, Decisions decisions) implements PlacementPolicy {
        @Override
        public Placement place(Candidate candidate, ClusterView cluster) {
            Placement placement = policy.place(candidate, cluster);
            if (placement instanceof Placement.Run run && cluster.rank(run.rank()).capacityClass() == io.shatter.CapacityClass.EXCESS) {
                RankView rank = cluster.rank(run.rank());
                double cores = cluster.excessCoresToKeep(rank);
                long runNanos = cluster.expectedRunNanos() > 0 ? cluster.expectedRunNanos() : 40 * 60_000_000_000L;
                int level = (int) Math.max(1, Math.min(EXCESS, Math.round(cores / coresPerRank)));
                boolean lived = lives(cores, runNanos);
                decisions.placed++;
                decisions.placedAt[level]++;
                if (lived) {
                    decisions.survived++;
                    decisions.survivedAt[level]++;
                }
                if (other != null && other.survivalProbability(Duration.ofNanos(runNanos), cores) < bar) {
                    decisions.otherWouldDecline++;
                    decisions.otherWouldDeclineSurvived += lived ? 1 : 0;
                }
            }
            return placement;
        }

        @Override
        public OptionalInt shadowRank(Candidate candidate, ClusterView cluster, int primaryRank) {
            return policy.shadowRank(candidate, cluster, primaryRank);
        }

        /** Whether the log keeps {@code cores} idle from now through the run (on its 5-minute steps). */
        private boolean lives(double cores, long runNanos) {
            long now = start + clock.getAsLong() / 1_000_000_000L / series.stepSeconds();
            long last = Math.min(series.length() - 1, now + (runNanos / 1_000_000_000L + series.stepSeconds() - 1) / series.stepSeconds());
            for (long k = now; k <= last; k++) {
                if (series.idle()[(int) k] < cores) {
                    return false;
                }
            }
            return true;
        }
    }
}
