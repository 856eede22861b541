package io.shatter.cli.workloads;

import io.shatter.Priority;
import io.shatter.decompose.Read;
import io.shatter.decompose.ReadWrite;
import io.shatter.decompose.Shard;

/**
 * The four kernels of tiled Cholesky (A = L L^T, lower) on b x b row-major tiles, as plain
 * sequential Java: the same methods run inside the shards and in the sequential reference, so the
 * two give the same bits. The annotations say what each kernel reads and writes; the processor
 * generates {@code CholeskyKernelsFacade} from them.
 */
public final class CholeskyKernels {
    private CholeskyKernels() {
    }

    /** The tile's edge length, from its cell count. */
    static int edge(double[] tile) {
        int b = (int) Math.round(Math.sqrt(tile.length));
        if (b * b != tile.length) {
            throw new IllegalArgumentException("a tile of " + tile.length + " cells is not square");
        }
        return b;
    }

    /** POTRF: factors a diagonal tile in place, A = L L^T (the lower triangle becomes L; the upper one is left as it was). */
    @Shard(priority = Priority.HIGH)
    public static void potrf(@ReadWrite double[] a) {
        int b = edge(a);
        for (int j = 0; j < b; j++) {
            double d = a[j * b + j];
            for (int k = 0; k < j; k++) {
                d -= a[j * b + k] * a[j * b + k];
            }
            if (!(d > 0)) {
                throw new ArithmeticException("the matrix is not positive definite (pivot " + j + " of a diagonal tile is " + d + ")");
            }
            d = Math.sqrt(d);
            a[j * b + j] = d;
            for (int i = j + 1; i < b; i++) {
                double s = a[i * b + j];
                for (int k = 0; k < j; k++) {
                    s -= a[i * b + k] * a[j * b + k];
                }
                a[i * b + j] = s / d;
            }
        }
    }

    /** TRSM: B := B L^-T, with L the factored diagonal tile above B's column. */
    @Shard(priority = Priority.HIGH)
    public static void trsm(@Read double[] l, @ReadWrite double[] bTile) {
        int b = edge(l);
        for (int r = 0; r < b; r++) {
            int row = r * b;
            for (int j = 0; j < b; j++) {
                double s = bTile[row + j];
                for (int k = 0; k < j; k++) {
                    s -= bTile[row + k] * l[j * b + k];
                }
                bTile[row + j] = s / l[j * b + j];
            }
        }
    }

    /** SYRK: C := C - A A^T on the lower triangle of a diagonal tile C. */
    @Shard
    public static void syrk(@Read double[] a, @ReadWrite double[] c) {
        int b = edge(a);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = 0; k < b; k++) {
                    s += a[i * b + k] * a[j * b + k];
                }
                c[i * b + j] -= s;
            }
        }
    }

    /** GEMM: C := C - A B^T, for the off-diagonal tile C = A(i,j) with A = A(i,k) and B = A(j,k). */
    @Shard
    public static void gemm(@Read double[] a, @Read double[] bt, @ReadWrite double[] c) {
        int b = edge(a);
        for (int i = 0; i < b; i++) {
            int ai = i * b;
            for (int j = 0; j < b; j++) {
                int bj = j * b;
                double s = 0;
                for (int k = 0; k < b; k++) {
                    s += a[ai + k] * bt[bj + k];
                }
                c[ai + j] -= s;
            }
        }
    }
}
