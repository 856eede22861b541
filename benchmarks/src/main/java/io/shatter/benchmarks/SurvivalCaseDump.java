package io.shatter.benchmarks;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.TraceReplay;
import io.shatter.predictor.Traces;
import io.shatter.spi.EmpiricalSurvivalForecaster;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes every survival question of {@code predictor evaluate}'s setting (6 slots of the log's
 * median idle cores / 6, runs of 10, 40 and 120 minutes, live slots only) asked at each step from
 * 60 days before the validation period to the end of the log, with the model's raw odds, E's and the
 * outcome, so that recalibrations can be compared offline
 * ({@code predictor/analysis/stacking_windows.py}, which chose {@code StackedRecalibration}'s window).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shatter.benchmarks.SurvivalCaseDump TRACE CAPACITY_MODEL OUT.gz
 * </pre>
 *
 * One line per case: step, run index (0, 1, 2), slot cores, idle cores now, model's raw odds, E's
 * odds, survived (1 or 0); the header line (starting with {@code #}) gives the periods' steps.
 */
public final class SurvivalCaseDump {
    private static final int[] RUN_MINUTES = {10, 40, 120};
    private static final int SLOTS = 6;

    private SurvivalCaseDump() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: SurvivalCaseDump TRACE CAPACITY_MODEL OUT.gz");
            System.exit(2);
        }
        CapacitySeries series = Traces.load(Path.of(args[0]), Traces.Format.AUTO, null, 300, ZoneId.systemDefault(), BadLinePolicy.STOP,
                false);
        CapacityModel model = CapacityModel.load(Path.of(args[1]));
        int coresPerSlot = TraceReplay.defaultCoresPerRank(series, SLOTS);
        int longest = (int) Math.ceil(RUN_MINUTES[RUN_MINUTES.length - 1] * 60.0 / series.stepSeconds());
        TimeSplit split = TimeSplit.of(series, 0, longest);
        ModelForecaster forecaster = new ModelForecaster(model, series.zone());
        EmpiricalSurvivalForecaster empirical = new EmpiricalSurvivalForecaster(series.stepSeconds(),
                EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS);
        int[] idle = series.idle();
        int start = Math.max(0, split.validationFrom() - 60 * 86_400 / series.stepSeconds());
        try (PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(Path.of(args[2]))), java.nio.charset.StandardCharsets.US_ASCII)))) {
            out.printf(Locale.ROOT, "# %s cps=%d total=%d valFrom=%d valTo=%d testFrom=%d testTo=%d start=%d%n", series.source(),
                    coresPerSlot, series.totalCores(), split.validationFrom(), split.validationTo(), split.testFrom(), split.testTo(), start);
            for (int t = start; t < split.testTo(); t++) {
                forecaster.observe(series.sampleAt(t));
                empirical.observe(series.sampleAt(t));
                if (!forecaster.isWarm()) {
                    continue;
                }
                for (int r = 0; r < RUN_MINUTES.length; r++) {
                    int steps = (int) Math.ceil(RUN_MINUTES[r] * 60.0 / series.stepSeconds());
                    if (t + steps >= idle.length) {
                        continue;
                    }
                    int least = Integer.MAX_VALUE;
                    for (int s = t + 1; s <= t + steps; s++) {
                        least = Math.min(least, idle[s]);
                    }
                    Duration run = Duration.ofMinutes(RUN_MINUTES[r]);
                    for (int slot = 1; slot <= SLOTS && slot * coresPerSlot <= idle[t]; slot++) {
                        int cores = slot * coresPerSlot;
                        out.printf(Locale.ROOT, "%d %d %d %d %.6g %.6g %d%n", t, r, cores, idle[t],
                                forecaster.probabilityIdleAtLeast(run, cores), empirical.survivalProbability(run, cores), least >= cores ? 1 : 0);
                    }
                }
            }
        }
    }
}
