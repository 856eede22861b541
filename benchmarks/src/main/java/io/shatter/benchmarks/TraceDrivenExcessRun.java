package io.shatter.benchmarks;

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
import java.util.function.IntFunction;

/**
 * Does the forecaster matter? Local excess ranks' capacity is driven by a real trace's idle cores
 * (time-compressed, one trace hour per second): an {@link ExcessCapacityFeed} revokes excess ranks
 * when the trace's idle cores fall and restores them when they rise. The same workload (plain
 * shards of a fixed length that restart from scratch when their rank is revoked) runs from each of
 * several start points in the trace's held-out last 20% once per arm, every arm answering the
 * default placement policy's per-slot question "will this excess slot outlive the shard?":
 * <ul>
 *   <li>persistence: 1 for every live slot (every live excess rank gets work);</li>
 *   <li>E, the runtime's default ({@link EmpiricalSurvivalForecaster});</li>
 *   <li>the trained model through its calibration ({@link ModelForecaster});</li>
 *   <li>an oracle that knows the trace's future: 1 exactly when the slot's idle cores last through
 *       the run (plus a step, since it sees steps, not instants). Its lost work is the floor.</li>
 * </ul>
 * Every forecaster first sees the 30 days of samples before the start (what a site's monitor would
 * have recorded). Prints lost work (shard-seconds recomputed) and makespan per arm, and the ratios
 * the issue's bar is stated in.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shatter.benchmarks.TraceDrivenExcessRun TRACE CAPACITY_MODEL [starts] [shards] [shard-minutes] [excess] [reserved] [min-survival[,min-survival...]]
 * </pre>
 *
 * Without {@code min-survival} the arms use {@link DefaultPlacementPolicy}'s default bar; a
 * comma-separated list sweeps bars for E and the model (persistence and the oracle answer 0 or 1,
 * so they run once per start). The model must be a {@code --features capacity} model trained on
 * the same trace; with {@code -Dshatter.bench.period=validation} the starts lie in the validation
 * 10% instead, where a bar can be chosen without looking at the test period. With
 * {@code -Dshatter.bench.checkpointMinutes=M} the shards are resumable instead, saving their state
 * every {@code M} trace minutes, so a revocation loses at most that much and the placement policy's
 * expected-value rule lowers the bar for them ({@link DefaultPlacementPolicy#survivalBar}).
 */
public final class TraceDrivenExcessRun {
    /** System property choosing where the starts lie: {@code test} (default) or {@code validation}. */
    private static final String PERIOD_PROPERTY = "shatter.bench.period";
    /** System property: resumable shards saving their state every this many trace minutes (unset: plain shards). */
    private static final String CHECKPOINT_PROPERTY = "shatter.bench.checkpointMinutes";
    /** Trace seconds per wall-clock second: one trace hour per second. */
    private static final double TIME_SCALE = 3600;
    /** Samples every forecaster sees before a start: E's whole history. */
    private static final int WARM_UP_STEPS = EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS;

    private TraceDrivenExcessRun() {
    }

    /** One arm: its name and how to build its forecaster (on the trace's clock) for a start step. */
    private record Arm(String name, IntFunction<CapacityForecaster> forecaster) {
    }

    /** Sums over the starts. */
    private static final class Totals {
        double lost;
        double makespan;
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TraceDrivenExcessRun TRACE CAPACITY_MODEL [starts=6] [shards=48] [shard-minutes=40] "
                    + "[excess=6] [reserved=2] [min-survival=the placement policy's default]");
            System.exit(2);
        }
        Path tracePath = Path.of(args[0]);
        Path modelPath = Path.of(args[1]);
        int starts = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int shards = args.length > 3 ? Integer.parseInt(args[3]) : 48;
        int shardMinutes = args.length > 4 ? Integer.parseInt(args[4]) : 40;
        int excess = args.length > 5 ? Integer.parseInt(args[5]) : 6;
        int reserved = args.length > 6 ? Integer.parseInt(args[6]) : 2;
        List<Double> bars = new ArrayList<>();
        if (args.length > 7) {
            for (String bar : args[7].split(",")) {
                double value = Double.parseDouble(bar.trim());
                if (!(value > 0 && value <= 1)) {
                    System.err.println("min-survival must be in (0, 1], got " + bar);
                    System.exit(2);
                }
                bars.add(value);
            }
        } else {
            bars.add(DefaultPlacementPolicy.DEFAULT_MINIMUM_SURVIVAL);
        }

        CapacitySeries series = Traces.load(tracePath, Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        CapacityModel model = CapacityModel.load(modelPath);
        int coresPerRank = TraceReplay.defaultCoresPerRank(series, excess);
        long shardNanos = Math.round(shardMinutes * 60 / TIME_SCALE * 1e9);
        double checkpointMinutes = Double.parseDouble(System.getProperty(CHECKPOINT_PROPERTY, "0"));
        Duration checkpointEvery = checkpointMinutes > 0 ? Duration.ofNanos(Math.round(checkpointMinutes * 60 / TIME_SCALE * 1e9)) : null;
        boolean onValidation = "validation".equals(System.getProperty(PERIOD_PROPERTY, "test"));
        String periodName = onValidation ? "validation period (70-80%)" : "held-out last 20%";
        int periodFrom = (int) Math.ceil(series.length()
                * (1 - TimeSplit.TEST_FRACTION - (onValidation ? TimeSplit.VALIDATION_FRACTION : 0)));
        int periodTo = onValidation ? (int) Math.ceil(series.length() * (1 - TimeSplit.TEST_FRACTION)) : series.length();
        // Room after the last start for a slow run (all work on reserved ranks) to finish within the period.
        int runSteps = (int) Math.ceil((double) shards * shardMinutes / reserved / 5) + 1;
        int usable = periodTo - periodFrom - runSteps;
        if (usable <= 0) {
            throw new IllegalArgumentException("the trace's " + periodName + " is too short for this workload");
        }
        System.out.printf(Locale.ROOT, "Trace %s: %d cores; %d excess ranks of %d idle cores each (alive = min(%d, idle/%d)), "
                        + "%d reserved; %d %s shards of %d trace minutes (%.0f ms); 1 trace hour = %.0f ms; %d starts in the "
                        + "%s; placement needs survival >= %s (default %s) for a shard that loses its whole run.%n", series.source(), series.totalCores(),
                excess, coresPerRank, excess, coresPerRank, reserved, shards,
                checkpointEvery == null ? "plain" : "resumable (state saved every " + checkpointMinutes + " trace minutes)",
                shardMinutes, shardNanos / 1e6,
                3600 / TIME_SCALE * 1000, starts, periodName, bars, DefaultPlacementPolicy.DEFAULT_MINIMUM_SURVIVAL);
        List<Arm> arms = new ArrayList<>();
        arms.add(new Arm("persistence", start -> new PersistenceForecaster()));
        arms.add(new Arm("oracle", start -> new OracleForecaster(series)));
        for (double bar : bars) {
            String suffix = bars.size() > 1 ? " @" + bar : "";
            arms.add(new Arm("E" + suffix, start -> new EmpiricalSurvivalForecaster(series.stepSeconds(), WARM_UP_STEPS)));
            arms.add(new Arm("model" + suffix, start -> {
                ModelForecaster forecaster = new ModelForecaster(model, series.zone());
                forecaster.recalibration().slotCores(coresPerRank); // its own questions about slots of the excess ranks' size
                return forecaster;
            }));
        }
        List<Double> armBars = new ArrayList<>(List.of(bars.get(0), bars.get(0)));
        bars.forEach(bar -> armBars.addAll(List.of(bar, bar)));
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-18s", "start (trace day)"));
        for (Arm arm : arms) {
            header.append(String.format(Locale.ROOT, " | %-30s", arm.name() + ": lost, makespan, revoc."));
        }
        System.out.println(header);
        Totals[] totals = new Totals[arms.size()];
        for (int a = 0; a < arms.size(); a++) {
            totals[a] = new Totals();
        }
        for (int i = 0; i < starts; i++) {
            int startStep = starts == 1 ? periodFrom : periodFrom + (int) ((long) usable * i / Math.max(1, starts - 1));
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-18s",
                    String.format(Locale.ROOT, "step %d (%.1f)", startStep, startStep * 300 / 86400.0)));
            for (int a = 0; a < arms.size(); a++) {
                CapacityForecaster forecaster = arms.get(a).forecaster().apply(startStep);
                RunSummary summary = run(series, startStep, forecaster, shards, shardNanos, checkpointEvery, excess, reserved, coresPerRank,
                        armBars.get(a));
                totals[a].lost += summary.lostWorkSeconds();
                totals[a].makespan += summary.makespanSeconds();
                row.append(String.format(Locale.ROOT, " | %9.2fs %9.2fs %6d    ", summary.lostWorkSeconds(), summary.makespanSeconds(),
                        summary.revocations()));
            }
            System.out.println(row);
        }
        Totals persistence = totals[0];
        for (int a = 0; a < arms.size(); a++) {
            System.out.printf(Locale.ROOT, "TOTAL %-12s lost work %8.2f shard-s (x%.3f persistence), makespan %8.2f s (x%.3f persistence)%n",
                    arms.get(a).name(), totals[a].lost, totals[a].lost / Math.max(1e-9, persistence.lost), totals[a].makespan,
                    totals[a].makespan / persistence.makespan);
        }
        if (persistence.lost == 0) {
            System.out.println("No arm lost work (persistence lost none): these starts saw too few revocations to compare arms.");
            return;
        }
        for (int b = 0; b < bars.size(); b++) {
            Totals e = totals[2 + 2 * b];
            Totals m = totals[3 + 2 * b];
            System.out.printf(Locale.ROOT, "RATIOS at bar %s: lost work E/persistence %.3f (%.0f%% less), model/E %.3f (%.0f%% less), "
                            + "oracle/persistence %.3f; makespan E/persistence %.3f, model/persistence %.3f%n", bars.get(b),
                    e.lost / Math.max(1e-9, persistence.lost), 100 * (1 - e.lost / Math.max(1e-9, persistence.lost)),
                    m.lost / Math.max(1e-9, e.lost), 100 * (1 - m.lost / Math.max(1e-9, e.lost)),
                    totals[1].lost / Math.max(1e-9, persistence.lost), e.makespan / persistence.makespan,
                    m.makespan / persistence.makespan);
        }
    }

    private static RunSummary run(CapacitySeries series, int startStep, CapacityForecaster inTraceTime, int shards, long shardNanos,
                                  Duration checkpointEvery, int excess, int reserved, int coresPerRank, double minimumSurvival) {
        ShardGraph.Builder g = ShardGraph.builder("trace-driven");
        List<Shard<Long>> handles = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            long index = i;
            if (checkpointEvery != null) {
                handles.add(g.shard("work-" + i).checkpointEvery(checkpointEvery).resumable(Codecs.LONG, Codecs.LONG,
                        new SimulatedSteps(shardNanos, index)));
                continue;
            }
            handles.add(g.shard("work-" + i).compute(Codecs.LONG, ctx -> {
                // Simulated compute of a fixed length that gives up as soon as its rank is revoked.
                long end = System.nanoTime() + shardNanos;
                while (System.nanoTime() < end && !ctx.isCancelled()) {
                    Thread.sleep(2);
                }
                return index * index;
            }));
        }
        ShardGraph graph = g.build();
        CapacityForecaster forecaster = new TraceScaledForecaster(inTraceTime);
        for (int k = Math.max(0, startStep - WARM_UP_STEPS); k < startStep; k++) {
            forecaster.observe(series.sampleAt(k));
        }
        TraceReplay replay = new TraceReplay(series, Duration.ofSeconds((long) startStep * series.stepSeconds()), TIME_SCALE,
                excess, coresPerRank, System::nanoTime);
        RunConfig config = RunConfig.builder().layout(RankLayout.of(reserved, excess, 0, 1)).forecaster(forecaster)
                .policy(new DefaultPlacementPolicy(minimumSurvival)).revokeGrace(Duration.ZERO)
                .excessCapacityFeed(new ExcessCapacityFeed(replay, coresPerRank, Duration.ofMillis(20))).build();
        RunResult result = Shatter.run(graph, config);
        for (int i = 0; i < shards; i++) {
            if (result.get(handles.get(i)) != (long) i * i) {
                throw new IllegalStateException("shard " + i + " has a wrong result");
            }
        }
        return result.summary();
    }

    /** Simulated compute of a fixed length in 2 ms steps; the state is the work done so far, in nanoseconds. */
    private record SimulatedSteps(long shardNanos, long index) implements io.shatter.Resumable<Long, Long> {
        @Override
        public Long start(io.shatter.ShardContext context) {
            return 0L;
        }

        @Override
        public Long step(Long done, io.shatter.ShardContext context) throws InterruptedException {
            long before = System.nanoTime();
            Thread.sleep(2);
            return done + (System.nanoTime() - before);
        }

        @Override
        public boolean isDone(Long done) {
            return done >= shardNanos;
        }

        @Override
        public Long finish(Long done, io.shatter.ShardContext context) {
            return index * index;
        }
    }

    /**
     * A forecaster on the trace's clock: the broker asks in wall-clock time, the trace runs
     * {@link #TIME_SCALE} times faster. The per-slot question's cores are already the trace's idle
     * cores (the broker scales excess ranks by the feed's cores per rank).
     */
    private static final class TraceScaledForecaster implements CapacityForecaster {
        private final CapacityForecaster inTraceTime;

        TraceScaledForecaster(CapacityForecaster inTraceTime) {
            this.inTraceTime = inTraceTime;
        }

        private static Duration toTrace(Duration wall) {
            return Duration.ofNanos((long) Math.min(Long.MAX_VALUE / 2.0, wall.toNanos() * TIME_SCALE));
        }

        @Override
        public void observe(CapacitySample sample) {
            inTraceTime.observe(sample);
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return inTraceTime.expectedIdleCores(toTrace(horizon));
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return inTraceTime.survivalProbability(toTrace(runLength), excessCores);
        }
    }
}
