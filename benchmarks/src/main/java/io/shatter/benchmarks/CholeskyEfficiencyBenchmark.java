package io.shatter.benchmarks;

import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shatter;
import io.shatter.cli.workloads.CholeskyKernels;
import io.shatter.cli.workloads.CholeskyKernelsFacade;
import io.shatter.cli.workloads.CholeskyProgram;
import io.shatter.decompose.Data;
import io.shatter.decompose.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Tiled Cholesky (16 x 16 tiles of 256 by default) three ways, same kernels, same input:
 * <ul>
 *   <li>{@code sequential}: the textbook loop on one thread (the reference of efficiency);</li>
 *   <li>{@code barrier}: the obvious parallel code on 2 threads, a barrier after each step's POTRF,
 *       its TRSMs and its updates (SYRK and GEMM), each phase's calls dealt round-robin;</li>
 *   <li>{@code shatter}: the annotated loop recorded through the facade and run on 2 local worker
 *       ranks (plus the broker), recording and graph validation included in the time.</li>
 * </ul>
 * Efficiency on 2 cores is sequential / (2 x time); the bar is shatter's at least 80% of barrier's,
 * i.e. barrier time / shatter time >= 0.8. On a machine shared with other work, the separate
 * variants drift with the load; {@code paired} runs barrier and shatter back to back in each
 * invocation (alternating which goes first) and prints, at the end, the median of the per-pair
 * ratios barrier / shatter, which such drift affects far less (its own score is the pair's sum).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar CholeskyEfficiencyBenchmark -f 1 -wi 1 -i 3
 * java -jar benchmarks/target/benchmarks.jar CholeskyEfficiencyBenchmark -p variant=paired -f 1 -wi 2 -i 10</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
public class CholeskyEfficiencyBenchmark {

    @Param({"sequential", "barrier", "shatter"})
    String variant;

    /** Barrier and shatter seconds of each paired invocation. */
    private final List<double[]> pairs = new ArrayList<>();
    private int invocations;
    private boolean measuring;

    @Setup(Level.Iteration)
    public void phase(org.openjdk.jmh.infra.IterationParams iteration) {
        measuring = iteration.getType() == org.openjdk.jmh.runner.IterationType.MEASUREMENT;
    }

    @Param({"16"})
    int tiles;

    @Param({"256"})
    int tileSize;

    private CholeskyProgram program;
    private double[][][] input;

    @Setup(Level.Trial)
    public void makeMatrix() {
        program = new CholeskyProgram(tiles, tileSize, 1);
        input = new double[tiles][][];
        for (int i = 0; i < tiles; i++) {
            input[i] = new double[i + 1][];
            for (int j = 0; j <= i; j++) {
                input[i][j] = program.inputTile(i, j);
            }
        }
    }

    private double[][][] copy() {
        double[][][] a = new double[tiles][][];
        for (int i = 0; i < tiles; i++) {
            a[i] = new double[i + 1][];
            for (int j = 0; j <= i; j++) {
                a[i][j] = input[i][j].clone();
            }
        }
        return a;
    }

    /** The input, fresh for each run (a factorisation overwrites it). */
    private double[][][] fresh;

    @Setup(Level.Invocation)
    public void freshInput() {
        fresh = copy();
    }

    @Benchmark
    public Object factor() throws Exception {
        switch (variant) {
            case "sequential":
                return sequential(fresh);
            case "barrier":
                return barrier(fresh);
            case "paired":
                return paired();
            default:
                return shatter(fresh);
        }
    }

    private Object paired() throws Exception {
        boolean barrierFirst = invocations++ % 2 == 0;
        double[] seconds = new double[2];
        for (int round = 0; round < 2; round++) {
            boolean runBarrier = (round == 0) == barrierFirst;
            double[][][] a = round == 0 ? fresh : copy();
            long start = System.nanoTime();
            Object out = runBarrier ? barrier(a) : shatter(a);
            seconds[runBarrier ? 0 : 1] = (System.nanoTime() - start) / 1e9;
            if (out == null) {
                throw new IllegalStateException("no result");
            }
        }
        if (measuring) {
            pairs.add(seconds);
        }
        return seconds;
    }

    /** The paired figures: every pair, and the median of barrier / shatter over the measured ones. */
    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void reportPairs() {
        if (pairs.isEmpty()) {
            return;
        }
        double[] ratios = new double[pairs.size()];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < pairs.size(); i++) {
            ratios[i] = pairs.get(i)[0] / pairs.get(i)[1];
            all.append(String.format(java.util.Locale.ROOT, " (%.2f s, %.2f s)", pairs.get(i)[0], pairs.get(i)[1]));
        }
        double[] sorted = ratios.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        System.out.printf(java.util.Locale.ROOT, "%npairs (barrier, shatter):%s%nmedian barrier/shatter over %d pairs: %.3f%n",
                all, n, median);
    }

    private static double[][][] sequential(double[][][] a) {
        int t = a.length;
        for (int k = 0; k < t; k++) {
            CholeskyKernels.potrf(a[k][k]);
            for (int i = k + 1; i < t; i++) {
                CholeskyKernels.trsm(a[k][k], a[i][k]);
            }
            for (int i = k + 1; i < t; i++) {
                CholeskyKernels.syrk(a[i][k], a[i][i]);
                for (int j = k + 1; j < i; j++) {
                    CholeskyKernels.gemm(a[i][k], a[j][k], a[i][j]);
                }
            }
        }
        return a;
    }

    /** Two threads; per step three phases with a barrier after each; calls of a phase alternate between the threads. */
    private static double[][][] barrier(double[][][] a) throws InterruptedException {
        int t = a.length;
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int me = 0; me < 2; me++) {
            int self = me;
            Thread thread = new Thread(() -> {
                try {
                    for (int k = 0; k < t; k++) {
                        if (self == 0) {
                            CholeskyKernels.potrf(a[k][k]);
                        }
                        barrier.await();
                        for (int i = k + 1; i < t; i++) {
                            if (i % 2 == self) {
                                CholeskyKernels.trsm(a[k][k], a[i][k]);
                            }
                        }
                        barrier.await();
                        int n = 0;
                        for (int i = k + 1; i < t; i++) {
                            if (n++ % 2 == self) {
                                CholeskyKernels.syrk(a[i][k], a[i][i]);
                            }
                            for (int j = k + 1; j < i; j++) {
                                if (n++ % 2 == self) {
                                    CholeskyKernels.gemm(a[i][k], a[j][k], a[i][j]);
                                }
                            }
                        }
                        barrier.await();
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    failure[0] = e;
                }
            }, "barrier-" + me);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        return a;
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic arrays of Data
    private Object shatter(double[][][] a) {
        Recorder recorder = Recorder.create("cholesky");
        Data<double[]>[][] handles = new Data[tiles][];
        for (int i = 0; i < tiles; i++) {
            handles[i] = new Data[i + 1];
            for (int j = 0; j <= i; j++) {
                handles[i][j] = recorder.data("A[" + i + "][" + j + "]", io.shatter.Codecs.DOUBLES, a[i][j]);
            }
        }
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), handles);
        // The last POTRF's tile is read by nobody, so it is kept while the others are dropped once read, as in a lean run.
        RunResult result = Shatter.run(recorder.graph(), RunConfig.builder().ranks(2, 0, 0).build());
        return recorder.valueIn(result, handles[tiles - 1][tiles - 1]);
    }
}
