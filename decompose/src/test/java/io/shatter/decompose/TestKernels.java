package io.shatter.decompose;

import io.shatter.Codecs;
import io.shatter.Priority;

import java.util.List;
import java.util.Optional;

/**
 * Kernels described by hand exactly as the generated facade describes them (the processor's own
 * tests check that it writes these), so the recorder is tested without the processor.
 */
final class TestKernels {
    private TestKernels() {
    }

    /** next := one Jacobi sweep of x for the 1-D Poisson problem -x'' = b (next is write-only). */
    static void jacobi(double[] x, double[] b, double[] next) {
        int n = x.length;
        for (int i = 0; i < n; i++) {
            double left = i > 0 ? x[i - 1] : 0;
            double right = i < n - 1 ? x[i + 1] : 0;
            next[i] = 0.5 * (b[i] + left + right);
        }
    }

    /** The residual's Euclidean norm, ||b - A x||. */
    static double residual(double[] x, double[] b) {
        double s = 0;
        int n = x.length;
        for (int i = 0; i < n; i++) {
            double left = i > 0 ? x[i - 1] : 0;
            double right = i < n - 1 ? x[i + 1] : 0;
            double r = b[i] - (2 * x[i] - left - right);
            s += r * r;
        }
        return Math.sqrt(s);
    }

    /** a := a * factor, in place. */
    static void scale(double[] a, double factor) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= factor;
        }
    }

    static final Kernel JACOBI = new Kernel("jacobi", Priority.MEDIUM, 1, List.of(), 0,
            List.of(new Param("x", Access.READ, Codecs.DOUBLES), new Param("b", Access.READ, Codecs.DOUBLES),
                    new Param("next", Access.WRITE, Codecs.DOUBLES)),
            Optional.empty(), (Kernel.Call) args -> {
                jacobi((double[]) args[0], (double[]) args[1], (double[]) args[2]);
                return null;
            });

    static final Kernel RESIDUAL = new Kernel("residual", Priority.HIGH, 1, List.of(), 0,
            List.of(new Param("x", Access.READ, Codecs.DOUBLES), new Param("b", Access.READ, Codecs.DOUBLES)),
            Optional.of(Codecs.DOUBLE), (Kernel.Call) args -> residual((double[]) args[0], (double[]) args[1]));

    static final Kernel SCALE = new Kernel("scale", Priority.MEDIUM, 1, List.of(), 0,
            List.of(new Param("a", Access.READ_WRITE, Codecs.DOUBLES), Param.value("factor")),
            Optional.empty(), (Kernel.Call) args -> {
                scale((double[]) args[0], (double) args[1]);
                return null;
            });

    /** Resumable: adds 1 to every cell per step, for {@code steps} steps; the array is its state. */
    static final Kernel COUNT_UP = new Kernel("countUp", Priority.MEDIUM, 1, List.of(), 0,
            List.of(Param.value("steps"), new Param("cells", Access.READ_WRITE, Codecs.DOUBLES)),
            Optional.empty(), (Kernel.Steps) (step, args) -> {
                double[] cells = (double[]) args[1];
                for (int i = 0; i < cells.length; i++) {
                    cells[i] += 1;
                }
                return step + 1 < (int) args[0];
            });

    @SuppressWarnings("unchecked")
    static Data<Double> residual(Recorder r, Data<double[]> x, Data<double[]> b) {
        return (Data<Double>) r.record(RESIDUAL, new Object[] {x, b});
    }
}
