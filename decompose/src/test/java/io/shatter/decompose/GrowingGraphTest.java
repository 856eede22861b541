package io.shatter.decompose;

import io.shatter.Codecs;
import io.shatter.RunConfig;
import io.shatter.RunDirectoryException;
import io.shatter.RunResult;
import io.shatter.Shatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A program that waits for a value and decides what to record next: Jacobi iterations on the 1-D
 * Poisson problem, checking the residual every few sweeps and stopping at convergence.
 */
class GrowingGraphTest {
    private static final int N = 24;
    private static final int SWEEPS_PER_CHECK = 40;
    private static final double TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    private static double[] rhs() {
        double[] b = new double[N];
        for (int i = 0; i < N; i++) {
            b[i] = Math.sin(i * 0.3) + 1;
        }
        return b;
    }

    /** What the program observed: the residuals it waited for, and the final solution. */
    record Outcome(List<Double> residuals, double[] x) {
    }

    /** The program: sweeps recorded through the recorder, a residual awaited every SWEEPS_PER_CHECK sweeps. */
    private static Outcome solve(Recorder r) {
        Data<double[]> b = r.data("b", Codecs.DOUBLES, rhs());
        Data<double[]> x = r.data("x", Codecs.DOUBLES, new double[N]);
        Data<double[]> y = r.data("y", Codecs.DOUBLES, new double[N]);
        List<Double> residuals = new ArrayList<>();
        while (true) {
            for (int k = 0; k < SWEEPS_PER_CHECK; k += 2) {
                r.record(TestKernels.JACOBI, new Object[] {x, b, y});
                r.record(TestKernels.JACOBI, new Object[] {y, b, x});
            }
            double residual = TestKernels.residual(r, x, b).get(); // runs the sweeps recorded so far
            residuals.add(residual);
            if (residual < TOLERANCE) {
                break;
            }
        }
        r.finish();
        return new Outcome(residuals, x.get());
    }

    /** The same program with the kernels called directly. */
    private static Outcome sequential() {
        double[] b = rhs();
        double[] x = new double[N];
        double[] y = new double[N];
        List<Double> residuals = new ArrayList<>();
        while (true) {
            for (int k = 0; k < SWEEPS_PER_CHECK; k += 2) {
                TestKernels.jacobi(x, b, y);
                TestKernels.jacobi(y, b, x);
            }
            double residual = TestKernels.residual(x, b);
            residuals.add(residual);
            if (residual < TOLERANCE) {
                return new Outcome(residuals, x);
            }
        }
    }

    private static RunConfig.Builder config() {
        return RunConfig.builder().ranks(2, 0, 0).retainIntermediateOutputs(true);
    }

    @Test
    void theProgramDecidesFromAwaitedValuesAndGetsTheSequentialResult() {
        List<Integer> sizes = new ArrayList<>();
        Recorder r = Recorder.builder("jacobi").runner((graph, epoch) -> {
            sizes.add(graph.size());
            return Shatter.run(graph, config().build());
        }).build();
        Outcome grown = solve(r);
        Outcome expected = sequential();
        assertTrue(expected.residuals().size() > 3, "the solver needs several checks: " + expected.residuals());
        assertEquals(expected.residuals(), grown.residuals());
        assertArrayEquals(expected.x(), grown.x(), 0.0);
        assertEquals(expected.residuals().size(), r.stats().epochs());
        for (int size : sizes) {
            assertEquals(SWEEPS_PER_CHECK + 1, size, "each epoch: the sweeps since the last check and the residual");
        }
    }

    /**
     * A run that dies in epoch 3 (its runner throws, as a killed process would stop there), then the
     * same program again with the same directories: the finished epochs come back from the epoch
     * directory without running, the program awaits the same residuals and records the same graphs,
     * and the killed epoch runs from its own run directory.
     */
    @Test
    void aProgramRunAgainAfterDyingResumesWithTheSameAwaitedValues() {
        Path epochs = dir.resolve("epochs");
        List<String> firstFingerprints = new ArrayList<>();
        Recorder first = Recorder.builder("jacobi").epochDirectory(epochs).runner((graph, epoch) -> {
            firstFingerprints.add(graph.fingerprint());
            if (epoch == 3) {
                throw new IllegalStateException("killed");
            }
            return Shatter.run(graph, config().runDirectory(dir.resolve("run-" + epoch)).build());
        }).build();
        assertThrows(IllegalStateException.class, () -> solve(first));
        assertTrue(Files.exists(epochs.resolve("epoch-2.values")));

        List<Integer> ran = new ArrayList<>();
        List<String> secondFingerprints = new ArrayList<>();
        Recorder second = Recorder.builder("jacobi").epochDirectory(epochs).runner((graph, epoch) -> {
            ran.add(epoch);
            secondFingerprints.add(graph.fingerprint());
            return Shatter.run(graph, config().runDirectory(dir.resolve("run-" + epoch)).build());
        }).build();
        Outcome resumed = solve(second);
        Outcome expected = sequential();
        assertEquals(expected.residuals(), resumed.residuals());
        assertArrayEquals(expected.x(), resumed.x(), 0.0);
        assertEquals(3, ran.get(0), "epochs 0 to 2 came from the epoch directory");
        assertEquals(firstFingerprints.get(3), secondFingerprints.get(0), "the same calls were recorded in the killed epoch");
    }

    @Test
    void withoutRenamingEpochsOnlyOrderAfterCallsOfTheirOwn() {
        Recorder r = Recorder.builder("jacobi").renaming(false).runner((graph, epoch) -> Shatter.run(graph, config().build())).build();
        Outcome inPlace = solve(r);
        assertEquals(sequential().residuals(), inPlace.residuals());
        assertTrue(r.stats().writeAfterWrite() > 0, "ping-pong buffers give write-after-write edges without renaming: " + r.stats());
    }

    @Test
    void aWriteAfterAReadOfAnEarlierEpochNeedsNoEdge() {
        Recorder r = Recorder.builder("war").renaming(false).runner((graph, epoch) -> Shatter.run(graph, config().build())).build();
        Data<double[]> a = r.data("a", Codecs.DOUBLES, new double[] {1, 2});
        Data<double[]> b = r.data("b", Codecs.DOUBLES, new double[] {3, 4});
        Data<Double> first = TestKernels.residual(r, a, b);   // epoch 0 reads a
        assertEquals(TestKernels.residual(new double[] {1, 2}, new double[] {3, 4}), first.get());
        r.record(TestKernels.SCALE, new Object[] {a, 2.0});    // epoch 1 overwrites a: the reader has run already
        assertArrayEquals(new double[] {2, 4}, a.get(), 0.0);
        assertEquals(0, r.stats().writeAfterRead());
    }

    @Test
    void anotherProgramsEpochsAreRefused() {
        Path epochs = dir.resolve("epochs");
        Recorder first = Recorder.builder("jacobi").epochDirectory(epochs)
                .runner((graph, epoch) -> Shatter.run(graph, config().build())).build();
        Data<double[]> b = first.data("b", Codecs.DOUBLES, rhs());
        Data<double[]> x = first.data("x", Codecs.DOUBLES, new double[N]);
        first.record(TestKernels.SCALE, new Object[] {x, 2.0});
        TestKernels.residual(first, x, b).get();

        Recorder other = Recorder.builder("jacobi").epochDirectory(epochs)
                .runner((graph, epoch) -> Shatter.run(graph, config().build())).build();
        Data<double[]> b2 = other.data("b", Codecs.DOUBLES, rhs());
        Data<double[]> x2 = other.data("x", Codecs.DOUBLES, new double[N]);
        other.record(TestKernels.JACOBI, new Object[] {b2, b2, x2});
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> x2.get());
        assertTrue(e.getMessage().contains("holds epoch 0 of another program of 'jacobi'"), e.getMessage());
    }

    @Test
    void aDamagedEpochFileIsSetAsideAndTheEpochRunsAgain() throws Exception {
        Path epochs = dir.resolve("epochs");
        List<Integer> runs = new ArrayList<>();
        java.util.function.Supplier<Recorder> recorder = () -> Recorder.builder("jacobi").epochDirectory(epochs).runner((graph, epoch) -> {
            runs.add(epoch);
            RunResult result = Shatter.run(graph, config().build());
            return result;
        }).build();
        Outcome once = solve(recorder.get());
        int firstRuns = runs.size();
        byte[] bytes = Files.readAllBytes(epochs.resolve("epoch-1.values"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(epochs.resolve("epoch-1.values"), bytes);
        Outcome again = solve(recorder.get());
        assertEquals(once.residuals(), again.residuals());
        assertEquals(List.of(1), runs.subList(firstRuns, runs.size()), "only the damaged epoch ran again");
        assertTrue(Files.exists(epochs.resolve("epoch-1.values.rejected")));
    }
}
