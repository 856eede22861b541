package io.shatter.decompose;

import io.shatter.Codecs;
import io.shatter.Priority;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shatter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A growing program as its own process, for the kill test: Jacobi smoothing of a 1-D Poisson problem
 * in chunks of {@link #INNER} sweeps per call (so a shard takes tens of milliseconds), awaiting the
 * residual every {@link #CALLS_PER_CHECK} calls and stopping below {@link #TOLERANCE}. Prints each
 * epoch it ran (with how many shards came from that epoch's journal) and, at the end, the residuals
 * and the solution's bits.
 *
 * <pre>java -cp ... io.shatter.decompose.GrowingJacobi RUN_DIR</pre>
 */
public final class GrowingJacobi {
    static final int N = 600;
    static final int INNER = 4_000;
    static final int CALLS_PER_CHECK = 6;
    static final double TOLERANCE = 1e-6;

    private GrowingJacobi() {
    }

    /** {@link #INNER} Jacobi sweeps of x in place (with a scratch buffer). */
    static void smooth(double[] x, double[] b) {
        double[] next = new double[x.length];
        for (int s = 0; s < INNER; s++) {
            TestKernels.jacobi(x, b, next);
            System.arraycopy(next, 0, x, 0, x.length);
        }
    }

    static final Kernel SMOOTH = new Kernel("smooth", Priority.MEDIUM, 1, List.of(), 0,
            List.of(new Param("x", Access.READ_WRITE, Codecs.DOUBLES), new Param("b", Access.READ, Codecs.DOUBLES)),
            Optional.empty(), (Kernel.Call) args -> {
                smooth((double[]) args[0], (double[]) args[1]);
                return null;
            });

    static double[] rhs() {
        double[] b = new double[N];
        for (int i = 0; i < N; i++) {
            b[i] = 1e-3 * Math.cos(i * 0.01);
        }
        return b;
    }

    /** The program; {@code smooth} and {@code residual} are recorded, or called directly when {@code recorder} is null. */
    static List<Double> solve(Recorder recorder, double[] out) {
        double[] b0 = rhs();
        double[] x0 = new double[N];
        Data<double[]> b = recorder == null ? null : recorder.data("b", Codecs.DOUBLES, b0);
        Data<double[]> x = recorder == null ? null : recorder.data("x", Codecs.DOUBLES, x0);
        List<Double> residuals = new ArrayList<>();
        while (true) {
            for (int c = 0; c < CALLS_PER_CHECK; c++) {
                if (recorder == null) {
                    smooth(x0, b0);
                } else {
                    recorder.record(SMOOTH, new Object[] {x, b});
                }
            }
            double r = recorder == null ? TestKernels.residual(x0, b0) : TestKernels.residual(recorder, x, b).get();
            residuals.add(r);
            if (r < TOLERANCE || residuals.size() == 40) {
                break;
            }
        }
        System.arraycopy(recorder == null ? x0 : x.get(), 0, out, 0, N);
        return residuals;
    }

    public static void main(String[] args) {
        Path runDir = Path.of(args[0]);
        Recorder recorder = Recorder.builder("jacobi").epochDirectory(runDir.resolve("epochs")).runner((graph, epoch) -> {
            RunResult result = Shatter.run(graph, RunConfig.builder().ranks(2, 0, 0).retainIntermediateOutputs(true)
                    .runDirectory(runDir.resolve("epoch-" + epoch)).runIdentity("jacobi").build());
            System.out.println("ran epoch " + epoch + " resumed " + result.summary().resumedFromJournal());
            return result;
        }).build();
        double[] x = new double[N];
        List<Double> residuals = solve(recorder, x);
        System.out.println("residuals " + residuals);
        System.out.println("solution " + bits(x));
    }

    static String bits(double[] x) {
        long h = 17;
        for (double v : x) {
            h = h * 31 + Double.doubleToLongBits(v);
        }
        return String.format(Locale.ROOT, "%016x", h);
    }
}
