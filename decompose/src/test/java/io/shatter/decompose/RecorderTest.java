package io.shatter.decompose;

import io.shatter.Codecs;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.graph.ShardSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dependency inference: which edges each access pattern gives, with and without renaming, and what the shards compute. */
class RecorderTest {

    private static int[] deps(ShardGraph g, int index) {
        return g.shards().get(index).dependencies();
    }

    @Test
    void readAfterWriteIsAnEdgeAndReadsOfInitialDataAreNone() {
        Recorder r = Recorder.create("raw");
        Data<double[]> a = r.data("a", Codecs.DOUBLES, new double[] {1, 2});
        Data<double[]> b = r.data("b", Codecs.DOUBLES, new double[] {3, 4});
        r.record(TestKernels.SCALE, new Object[] {a, 2.0});      // 0 writes a
        TestKernels.residual(r, b, b);                           // 1 reads b twice (initial): no edge
        TestKernels.residual(r, a, b);                           // 2 reads a: after 0
        r.record(TestKernels.SCALE, new Object[] {a, 3.0});      // 3 reads and writes a: after 0
        ShardGraph g = r.graph();
        assertArrayEquals(new int[0], deps(g, 0));
        assertArrayEquals(new int[0], deps(g, 1));
        assertArrayEquals(new int[] {0}, deps(g, 2));
        assertArrayEquals(new int[] {0}, deps(g, 3));
        InferenceStats s = r.stats();
        assertEquals(4, s.calls());
        assertEquals(2, s.readAfterWrite());
        assertEquals(1, s.renamedAfterRead(), "3 overwrites the version 2 read");
        assertEquals(1, s.renamedAfterWrite(), "3 overwrites the version 0 wrote");
    }

    /** x -> y -> x ping-pong: a write into x while the previous step still reads it. */
    private static ShardGraph pingPong(Recorder r) {
        Data<double[]> b = r.data("b", Codecs.DOUBLES, new double[] {1, 1, 1});
        Data<double[]> x = r.data("x", Codecs.DOUBLES, new double[3]);
        Data<double[]> y = r.data("y", Codecs.DOUBLES, new double[3]);
        r.record(TestKernels.JACOBI, new Object[] {x, b, y});   // 0: y1 <- x0
        TestKernels.residual(r, x, b);                          // 1: reads x0
        r.record(TestKernels.JACOBI, new Object[] {y, b, x});   // 2: x1 <- y1; write after read of x0 by 0 and 1
        r.record(TestKernels.JACOBI, new Object[] {x, b, y});   // 3: y2 <- x1; write after read (2 read y1) and after write (0 wrote y1)
        return r.graph();
    }

    @Test
    void renamingRemovesWriteAfterReadAndWriteAfterWriteEdges() {
        Recorder renamed = Recorder.create("pp");
        ShardGraph g = pingPong(renamed);
        assertArrayEquals(new int[0], deps(g, 0));
        assertArrayEquals(new int[0], deps(g, 1));
        assertArrayEquals(new int[] {0}, deps(g, 2));
        assertArrayEquals(new int[] {2}, deps(g, 3));
        InferenceStats s = renamed.stats();
        assertEquals(3, s.renamedAfterRead());  // x0 read by 0 and 1, then written by 2; y1 read by 2, then written by 3
        assertEquals(1, s.renamedAfterWrite()); // y written by 0, then by 3
        assertEquals(0, s.writeAfterRead() + s.writeAfterWrite());

        Recorder inPlace = Recorder.builder("pp").renaming(false).build();
        ShardGraph h = pingPong(inPlace);
        assertArrayEquals(new int[] {0, 1}, deps(h, 2), "2 overwrites x, which 0 and 1 read");
        assertArrayEquals(new int[] {0, 2}, deps(h, 3), "3 reads x from 2 and overwrites y, which 0 wrote and 2 read");
        InferenceStats p = inPlace.stats();
        assertEquals(1, p.writeAfterRead(), "edge 2<-1 (x); 2<-0 and 3<-2 are already reads after writes");
        assertEquals(1, p.writeAfterWrite(), "3 <- 0 for y");
    }

    @Test
    void theRecordedGraphComputesWhatTheSequentialProgramComputes() {
        Recorder r = Recorder.create("run");
        double[] b0 = {1, 2, 3, 4, 5};
        Data<double[]> b = r.data("b", Codecs.DOUBLES, b0);
        Data<double[]> x = r.data("x", Codecs.DOUBLES, new double[5]);
        Data<double[]> y = r.data("y", Codecs.DOUBLES, new double[5]);
        double[] sx = new double[5];
        double[] sy = new double[5];
        for (int k = 0; k < 30; k++) {
            r.record(TestKernels.JACOBI, new Object[] {x, b, y});
            TestKernels.jacobi(sx, b0, sy);
            r.record(TestKernels.JACOBI, new Object[] {y, b, x});
            TestKernels.jacobi(sy, b0, sx);
            r.record(TestKernels.SCALE, new Object[] {x, 1.0 + k * 1e-3});
            TestKernels.scale(sx, 1.0 + k * 1e-3);
        }
        Data<Double> res = TestKernels.residual(r, x, b);
        RunResult result = Shatter.run(r.graph(), RunConfig.builder().ranks(2, 1, 0).seed(5).revokeEvery(Duration.ofMillis(3))
                .retainIntermediateOutputs(true).build());
        assertArrayEquals(sx, r.valueIn(result, x), 0.0);
        assertArrayEquals(sy, r.valueIn(result, y), 0.0);
        assertEquals(Double.doubleToLongBits(TestKernels.residual(sx, b0)), Double.doubleToLongBits(r.valueIn(result, res)));
        assertArrayEquals(b0, r.valueIn(result, b), 0.0, "never written: its initial value");
    }

    @Test
    void aResumableKernelCheckpointsItsWrittenParametersAndResumesAfterRevocations() {
        Recorder r = Recorder.create("resumable");
        Data<double[]> cells = r.data("cells", Codecs.DOUBLES, new double[] {0.5, 1.5});
        for (int i = 0; i < 20; i++) {
            r.record(TestKernels.COUNT_UP, new Object[] {2_000, cells});
        }
        ShardGraph g = r.graph();
        for (ShardSpec s : g.shards()) {
            assertEquals(io.shatter.graph.ShardKind.RESUMABLE, s.kind());
        }
        RunResult result = Shatter.run(g, RunConfig.builder().ranks(1, 2, 0).seed(11).revokeEvery(Duration.ofMillis(2))
                .checkpointEvery(Duration.ofNanos(1)).retainIntermediateOutputs(true).build());
        assertArrayEquals(new double[] {40_000.5, 40_001.5}, r.valueIn(result, cells), 0.0);
        assertTrue(result.summary().checkpointsSaved() > 0, "checkpoints were taken: " + result.summary());
    }

    @Test
    void misuseIsRefusedNamingTheDataAndKernel() {
        Recorder r = Recorder.create("bad");
        Data<double[]> x = r.data("x", Codecs.DOUBLES, new double[2]);
        Data<double[]> b = r.data("b", Codecs.DOUBLES, new double[2]);
        IllegalArgumentException alias = assertThrows(IllegalArgumentException.class,
                () -> r.record(TestKernels.JACOBI, new Object[] {x, b, x}));
        assertTrue(alias.getMessage().contains("kernel 'jacobi' gets data 'x' as both 'x' and 'next'"), alias.getMessage());
        Data<Double> res = TestKernels.residual(r, x, b);
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> r.record(TestKernels.JACOBI,
                new Object[] {x, b, r.data("n", Codecs.DOUBLE, 1.0)}));
        assertTrue(blank.getMessage().contains("'n' is only known once it is computed"), blank.getMessage());
        assertNull(r.record(TestKernels.SCALE, new Object[] {x, 1.0}));
        Recorder other = Recorder.create("other");
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class, () -> other.record(TestKernels.SCALE, new Object[] {x, 1.0}));
        assertTrue(foreign.getMessage().contains("data 'x' belongs to another recorder"), foreign.getMessage());
        IllegalStateException noRunner = assertThrows(IllegalStateException.class, res::get);
        assertTrue(noRunner.getMessage().contains("needs a runner"), noRunner.getMessage());
        assertArrayEquals(new double[2], b.get(), 0.0, "initial data needs no run");
    }
}
