package io.shatter.cli.workloads;

import io.shatter.Codecs;
import io.shatter.decompose.Data;
import io.shatter.decompose.Recorder;

/**
 * Tiled Cholesky as a numerical analyst writes it: the textbook right-looking triple loop over the
 * lower tiles, once through the generated facade (recording the shard graph) and once calling the
 * kernels directly (the sequential reference). The matrix is symmetric positive definite and
 * made from a seed, the same on every rank.
 */
public final class CholeskyProgram {
    private final int tiles;
    private final int tileSize;
    private final long seed;

    public CholeskyProgram(int tiles, int tileSize, long seed) {
        this.tiles = tiles;
        this.tileSize = tileSize;
        this.seed = seed;
    }

    public int tiles() {
        return tiles;
    }

    /** Shards the loop records: T POTRF, T(T-1)/2 TRSM and SYRK, T(T-1)(T-2)/6 GEMM. */
    public static long shardCount(int t) {
        long n = t;
        return n + n * (n - 1) + n * (n - 1) * (n - 2) / 6;
    }

    /** Tile (i, j), i >= j, of the input matrix: symmetric, random entries in [0, 1), n added to the diagonal. */
    public double[] inputTile(int ti, int tj) {
        int b = tileSize;
        int n = tiles * b;
        double[] t = new double[b * b];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < b; c++) {
                long gr = (long) ti * b + r;
                long gc = (long) tj * b + c;
                long lo = Math.min(gr, gc);
                long hi = Math.max(gr, gc);
                double v = (mix(seed ^ (hi * n + lo)) >>> 11) * 0x1.0p-53;
                t[r * b + c] = gr == gc ? v + n : v;
            }
        }
        return t;
    }

    /** SplitMix64's finaliser: a well-mixed 64-bit value from an index. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The lower tiles' handles, {@code a[i][j]} for i >= j, with the input values. */
    @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic arrays
    public Data<double[]>[][] inputs(Recorder recorder) {
        Data<double[]>[][] a = new Data[tiles][];
        for (int i = 0; i < tiles; i++) {
            a[i] = new Data[i + 1];
            for (int j = 0; j <= i; j++) {
                a[i][j] = recorder.data("A[" + i + "][" + j + "]", Codecs.DOUBLES, inputTile(i, j));
            }
        }
        return a;
    }

    /** The textbook loop, recorded: every call becomes a shard, its dependencies inferred from the tiles it touches. */
    public static void factor(CholeskyKernelsFacade kernels, Data<double[]>[][] a) {
        int t = a.length;
        for (int k = 0; k < t; k++) {
            kernels.potrf(a[k][k]);
            for (int i = k + 1; i < t; i++) {
                kernels.trsm(a[k][k], a[i][k]);
            }
            for (int i = k + 1; i < t; i++) {
                kernels.syrk(a[i][k], a[i][i]);
                for (int j = k + 1; j < i; j++) {
                    kernels.gemm(a[i][k], a[j][k], a[i][j]);
                }
            }
        }
    }

    /** The same loop calling the kernels directly, on one thread: the reference. */
    public double[][][] sequential() {
        double[][][] a = new double[tiles][][];
        for (int i = 0; i < tiles; i++) {
            a[i] = new double[i + 1][];
            for (int j = 0; j <= i; j++) {
                a[i][j] = inputTile(i, j);
            }
        }
        for (int k = 0; k < tiles; k++) {
            CholeskyKernels.potrf(a[k][k]);
            for (int i = k + 1; i < tiles; i++) {
                CholeskyKernels.trsm(a[k][k], a[i][k]);
            }
            for (int i = k + 1; i < tiles; i++) {
                CholeskyKernels.syrk(a[i][k], a[i][i]);
                for (int j = k + 1; j < i; j++) {
                    CholeskyKernels.gemm(a[i][k], a[j][k], a[i][j]);
                }
            }
        }
        return a;
    }
}
