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
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.TraceReplay;
import io.shatter.predictor.Traces;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.PersistenceForecaster;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 7, item 5: does the forecaster matter? Local excess ranks' capacity is driven by a real
 * trace's idle cores (time-compressed, by default one trace hour per second): an
 * {@link ExcessCapacityFeed} revokes excess ranks when the trace's idle cores fall and restores
 * them when they rise. The same workload (plain shards of a fixed length that restart from
 * scratch when their rank is revoked) runs twice from each of several start points in the
 * trace's held-out last 20%: once with the runtime's default forecaster (persistence, which lets
 * work onto every live excess rank) and once with the trained model answering the default
 * placement policy's per-slot question "will this excess slot outlive the shard?". Prints lost
 * work (shard-seconds recomputed) and makespan for both, and their ratios.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shatter.benchmarks.TraceDrivenExcessRun TRACE CAPACITY_MODEL [starts] [shards] [shard-minutes] [excess] [reserved] [min-survival[,min-survival...]]
 * </pre>
 *
 * Without {@code min-survival} both arms use {@link DefaultPlacementPolicy}'s default bar; a
 * comma-separated list sweeps bars (the persistence arm, whose answers are 0 or 1, runs once per
 * start, the model's arm once per bar).
 *
 * The model must be a {@code --features capacity} model (the broker sees only capacity samples)
 * trained on the same trace: it learnt from the first 70% and stopped training on the next 10%
 * (validation), and every start is in the last 20%, or with {@code -Dshatter.bench.period=validation}
 * in the validation 10%, where a placement bar can be chosen without looking at the test period.
 */
public final class TraceDrivenExcessRun {
    /** System property choosing where the starts lie: {@code test} (default) or {@code validation}. */
    private static final String PERIOD_PROPERTY = "shatter.bench.period";
    /** Trace seconds per wall-clock second: one trace hour per second. */
    private static final double TIME_SCALE = 3600;

    private TraceDrivenExcessRun() {
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
        // The placement policy's bar for excess slots (default: the policy's own). A comma-separated
        // list sweeps bars: persistence answers only 0 or 1, so its arm is the same at every bar in
        // (0, 1] and runs once per start; the model's arm runs once per bar.
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
        // Starts in the held-out test period (the last 20%), or with -Dshatter.bench.period=validation in
        // the 10% before it, where the model stopped training: a bar can be chosen there without the test period.
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
                        + "%d reserved; %d plain shards of %d trace minutes (%.0f ms); 1 trace hour = %.0f ms; %d starts in the "
                        + "%s; placement needs survival >= %s (default %s).%n", series.source(), series.totalCores(),
                excess, coresPerRank, excess, coresPerRank, reserved, shards, shardMinutes, shardNanos / 1e6,
                3600 / TIME_SCALE * 1000, starts, periodName, bars, DefaultPlacementPolicy.DEFAULT_MINIMUM_SURVIVAL);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-22s %10s %12s %6s %6s", "start (trace day)",
                "lost w/o", "makespan w/o", "revoc.", "excess"));
        for (double bar : bars) {
            header.append(String.format(Locale.ROOT, " | %-41s", "with model, bar " + bar + ": lost, makespan, revoc., excess"));
        }
        System.out.println(header);
        double lostWithout = 0;
        double makespanWithout = 0;
        double[] lostWith = new double[bars.size()];
        double[] makespanWith = new double[bars.size()];
        for (int i = 0; i < starts; i++) {
            int startStep = periodFrom + (int) ((long) usable * i / Math.max(1, starts - 1));
            if (starts == 1) {
                startStep = periodFrom;
            }
            RunSummary without = run(series, startStep, null, shards, shardNanos, excess, reserved, coresPerRank, bars.get(0));
            lostWithout += without.lostWorkSeconds();
            makespanWithout += without.makespanSeconds();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-22s %9.2fs %11.2fs %6d %5.0f%%",
                    String.format(Locale.ROOT, "step %d (%.1f)", startStep, startStep * 300 / 86400.0),
                    without.lostWorkSeconds(), without.makespanSeconds(), without.revocations(), 100 * excessShare(without, reserved)));
            for (int b = 0; b < bars.size(); b++) {
                RunSummary with = run(series, startStep, model, shards, shardNanos, excess, reserved, coresPerRank, bars.get(b));
                lostWith[b] += with.lostWorkSeconds();
                makespanWith[b] += with.makespanSeconds();
                row.append(String.format(Locale.ROOT, " | %9.2fs %10.2fs %6d %5.0f%%          ", with.lostWorkSeconds(),
                        with.makespanSeconds(), with.revocations(), 100 * excessShare(with, reserved)));
            }
            System.out.println(row);
        }
        for (int b = 0; b < bars.size(); b++) {
            System.out.printf(Locale.ROOT, "TOTAL at bar %s: lost work without forecaster %.2f shard-s, with %.2f shard-s: %.0f%% less "
                            + "(ratio %.3f). Makespan: without %.2f s, with %.2f s (ratio %.3f).%n", bars.get(b),
                    lostWithout, lostWith[b], 100 * (1 - lostWith[b] / Math.max(1e-9, lostWithout)),
                    lostWith[b] / Math.max(1e-9, lostWithout), makespanWithout, makespanWith[b], makespanWith[b] / makespanWithout);
        }
    }

    /** Share of the shards committed by excess ranks (ranks after the reserved ones). */
    private static double excessShare(RunSummary s, int reserved) {
        long total = 0;
        long onExcess = 0;
        for (var e : s.shardsByRank().entrySet()) {
            total += e.getValue();
            if (e.getKey() > reserved) {
                onExcess += e.getValue();
            }
        }
        return total == 0 ? 0 : (double) onExcess / total;
    }

    private static RunSummary run(CapacitySeries series, int startStep, CapacityModel model, int shards, long shardNanos,
                                  int excess, int reserved, int coresPerRank, double minimumSurvival) {
        ShardGraph.Builder g = ShardGraph.builder("trace-driven");
        List<Shard<Long>> handles = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            long index = i;
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
        // Without a model: persistence, the runtime's default (time scale does not matter to it).
        CapacityForecaster forecaster = model == null ? new PersistenceForecaster()
                : new TraceScaledForecaster(new ModelForecaster(model, series.zone()));
        // The monitor of a real site would have the past days of samples: so does the forecaster (a
        // day to fill the model's inputs, a day more to learn how well it has been doing lately).
        int warmup = 2 * 24 * 12 + 2;
        for (int k = Math.max(0, startStep - warmup); k < startStep; k++) {
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

    /**
     * The model's forecaster on the trace's clock: the broker asks in wall-clock time, the trace
     * runs {@link #TIME_SCALE} times faster. The per-slot question's cores are already the
     * trace's idle cores (the broker scales excess ranks by the feed's cores per rank).
     */
    private static final class TraceScaledForecaster implements CapacityForecaster {
        private final ModelForecaster model;

        TraceScaledForecaster(ModelForecaster model) {
            this.model = model;
        }

        private static Duration toTrace(Duration wall) {
            return Duration.ofNanos((long) Math.min(Long.MAX_VALUE / 2.0, wall.toNanos() * TIME_SCALE));
        }

        @Override
        public void observe(CapacitySample sample) {
            model.observe(sample);
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return model.expectedIdleCores(toTrace(horizon));
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return model.probabilityIdleAtLeast(toTrace(runLength), excessCores);
        }
    }
}
