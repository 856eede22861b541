package io.shatter.benchmarks;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.TimeSplit;
import io.shatter.predictor.Traces;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Locale;

/**
 * How long the broker's thread stalls in {@link ModelForecaster#observe} (the call its event loop
 * makes per capacity sample): a log's samples are replayed into the forecaster from 30 days before
 * its test period through {@code days} days of it, one call timed at a time. Between two samples a
 * broker has minutes; the replay has none, so before each timed call it waits, untimed, until a
 * refit handed to the background thread has been computed (skipped for a build without one, whose
 * refit runs inside the call). Prints the largest calls and the 99.9th percentile.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.shatter.benchmarks.RecalibrationStall TRACE CAPACITY_MODEL [days=20]
 * </pre>
 */
public final class RecalibrationStall {
    private RecalibrationStall() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RecalibrationStall TRACE CAPACITY_MODEL [days=20]");
            System.exit(2);
        }
        CapacitySeries series = Traces.load(Path.of(args[0]), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        CapacityModel model = CapacityModel.load(Path.of(args[1]));
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int stepsPerDay = 86_400 / series.stepSeconds();
        int testFrom = (int) Math.ceil(series.length() * (1 - TimeSplit.TEST_FRACTION));
        int from = Math.max(0, testFrom - 30 * stepsPerDay);
        int to = Math.min(series.length(), testFrom + days * stepsPerDay);
        ModelForecaster forecaster = new ModelForecaster(model, series.zone());
        Method await = awaitMethod(forecaster);
        long[] nanos = new long[to - from];
        long[] cpuNanos = new long[to - from];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int k = from; k < to; k++) {
            if (await != null) {
                await.invoke(forecaster.recalibration()); // the minutes a broker has between two samples
            }
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long before = System.nanoTime();
            forecaster.observe(series.sampleAt(k));
            nanos[k - from] = System.nanoTime() - before;
            cpuNanos[k - from] = threads.getCurrentThreadCpuTime() - cpuBefore;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        System.out.printf(Locale.ROOT, "%s: %d observations (%d days), refit %s; refits %d%n", series.source(), n, n / stepsPerDay,
                await == null ? "inside observe (this build has no background refit)" : "on a background thread",
                forecaster.recalibration().refits());
        System.out.printf(Locale.ROOT, "observe: median %.1f us, 99.9th percentile %.2f ms, largest five %s ms, sum of calls over 1 ms %.1f ms%n",
                sorted[n / 2] / 1e3, sorted[(int) (n * 0.999)] / 1e6, largest(sorted, 5), overOneMillisecond(sorted) / 1e6);
        // Where the largest calls fall in the day: a refit's stall repeats at the same step of each day.
        StringBuilder where = new StringBuilder();
        long[] byTime = nanos.clone();
        for (int i = 0; i < 8; i++) {
            int at = 0;
            for (int k = 1; k < byTime.length; k++) {
                at = byTime[k] > byTime[at] ? k : at;
            }
            where.append(String.format(Locale.ROOT, " %.1f ms at day %d step %d;", byTime[at] / 1e6, at / stepsPerDay, at % stepsPerDay));
            byTime[at] = -1;
        }
        System.out.println("largest calls:" + where);
        long[] dayMax = new long[stepsPerDay];
        for (int k = 30 * stepsPerDay; k < n; k++) {
            dayMax[k % stepsPerDay] = Math.max(dayMax[k % stepsPerDay], nanos[k]);
        }
        int worstStep = 0;
        for (int k = 1; k < stepsPerDay; k++) {
            worstStep = dayMax[k] > dayMax[worstStep] ? k : worstStep;
        }
        long[] atWorst = new long[(n - 30 * stepsPerDay) / stepsPerDay];
        long[] cpuAtWorst = new long[atWorst.length];
        long[] dayCpu = new long[atWorst.length];
        for (int d = 0; d < atWorst.length; d++) {
            atWorst[d] = nanos[(30 + d) * stepsPerDay + worstStep];
            cpuAtWorst[d] = cpuNanos[(30 + d) * stepsPerDay + worstStep];
            for (int k = 0; k < stepsPerDay; k++) {
                dayCpu[d] = Math.max(dayCpu[d], cpuNanos[(30 + d) * stepsPerDay + k]);
            }
        }
        Arrays.sort(atWorst);
        Arrays.sort(cpuAtWorst);
        Arrays.sort(dayCpu);
        System.out.printf(Locale.ROOT, "after the 30 warm-up days: the step of the day with the largest call is %d; over %d days its median "
                        + "%.2f ms wall, %.2f ms of the thread's CPU; the day's most CPU-costly call, median over the days, %.2f ms%n",
                worstStep, atWorst.length, atWorst.length == 0 ? 0 : atWorst[atWorst.length / 2] / 1e6,
                cpuAtWorst.length == 0 ? 0 : cpuAtWorst[cpuAtWorst.length / 2] / 1e6, dayCpu.length == 0 ? 0 : dayCpu[dayCpu.length / 2] / 1e6);
    }

    private static Method awaitMethod(ModelForecaster forecaster) {
        try {
            return forecaster.recalibration().getClass().getMethod("awaitRefitComputed");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static String largest(long[] sorted, int count) {
        StringBuilder out = new StringBuilder();
        for (int i = sorted.length - 1; i >= Math.max(0, sorted.length - count); i--) {
            out.append(out.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", sorted[i] / 1e6));
        }
        return out.toString();
    }

    private static long overOneMillisecond(long[] sorted) {
        long sum = 0;
        for (long t : sorted) {
            sum += t >= 1_000_000 ? t : 0;
        }
        return sum;
    }
}
