package io.shatter.cli.workloads;

import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.decompose.Data;
import io.shatter.decompose.InferenceStats;
import io.shatter.decompose.Recorder;
import io.shatter.graph.ShardSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The graph the recorder infers from the textbook Cholesky loop, against the dependency relation of the textbooks. */
class CholeskyGraphTest {

    private static ShardGraph record(int t, Recorder recorder) {
        CholeskyProgram program = new CholeskyProgram(t, 4, 1);
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), program.inputs(recorder));
        return recorder.graph();
    }

    /** The label of each call, in recording order: the kernel and its tile indices, as the textbook names them. */
    private static List<String> labels(int t) {
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < t; k++) {
            labels.add("POTRF(" + k + ")");
            for (int i = k + 1; i < t; i++) {
                labels.add("TRSM(" + i + "," + k + ")");
            }
            for (int i = k + 1; i < t; i++) {
                labels.add("SYRK(" + i + "," + k + ")");
                for (int j = k + 1; j < i; j++) {
                    labels.add("GEMM(" + i + "," + j + "," + k + ")");
                }
            }
        }
        return labels;
    }

    /**
     * The dependency relation of right-looking tiled Cholesky (as in the PLASMA and StarPU papers),
     * written out from the algorithm, not from the recorder: each task depends on the task that
     * produced each tile it reads.
     */
    private static Set<String> textbookEdges(int t) {
        Set<String> edges = new HashSet<>();
        for (int k = 0; k < t; k++) {
            if (k > 0) {
                edges.add("POTRF(" + k + ") <- SYRK(" + k + "," + (k - 1) + ")");
            }
            for (int i = k + 1; i < t; i++) {
                edges.add("TRSM(" + i + "," + k + ") <- POTRF(" + k + ")");
                if (k > 0) {
                    edges.add("TRSM(" + i + "," + k + ") <- GEMM(" + i + "," + k + "," + (k - 1) + ")");
                }
                edges.add("SYRK(" + i + "," + k + ") <- TRSM(" + i + "," + k + ")");
                if (k > 0) {
                    edges.add("SYRK(" + i + "," + k + ") <- SYRK(" + i + "," + (k - 1) + ")");
                }
                for (int j = k + 1; j < i; j++) {
                    edges.add("GEMM(" + i + "," + j + "," + k + ") <- TRSM(" + i + "," + k + ")");
                    edges.add("GEMM(" + i + "," + j + "," + k + ") <- TRSM(" + j + "," + k + ")");
                    if (k > 0) {
                        edges.add("GEMM(" + i + "," + j + "," + k + ") <- GEMM(" + i + "," + j + "," + (k - 1) + ")");
                    }
                }
            }
        }
        return edges;
    }

    @Test
    void inferredEdgesAreTheTextbookRelationForOneToTwelveTiles() {
        for (int t = 1; t <= 12; t++) {
            ShardGraph graph = record(t, Recorder.create("cholesky"));
            List<String> labels = labels(t);
            assertEquals(CholeskyProgram.shardCount(t), graph.size(), "shards for T=" + t);
            assertEquals(labels.size(), graph.size());
            Set<String> inferred = new HashSet<>();
            for (ShardSpec s : graph.shards()) {
                String kernel = s.id().substring(0, s.id().indexOf('-'));
                assertTrue(labels.get(s.index()).toLowerCase().startsWith(kernel), s.id() + " is " + labels.get(s.index()));
                for (int d : s.dependencies()) {
                    inferred.add(labels.get(s.index()) + " <- " + labels.get(d));
                }
            }
            assertEquals(textbookEdges(t), inferred, "T=" + t);
        }
    }

    @Test
    void twoRecordingsOfTheProgramGiveTheSameGraph() {
        // What two SPMD ranks do: each replays the program and records; the broker refuses a rank whose graph differs.
        ShardGraph first = record(9, Recorder.create("cholesky"));
        ShardGraph second = record(9, Recorder.create("cholesky"));
        assertEquals(first.fingerprint(), second.fingerprint());
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            ShardSpec a = first.shards().get(i);
            ShardSpec b = second.shards().get(i);
            assertEquals(a.id(), b.id());
            assertEquals(a.priority(), b.priority());
            assertArrayEquals(a.dependencies(), b.dependencies(), a.id());
            assertArrayEquals(a.inputs(), b.inputs(), a.id());
        }
    }

    @Test
    void renamingRemovesOnlyFalseDependencies() {
        Recorder renamed = Recorder.create("cholesky");
        Recorder inPlace = Recorder.builder("cholesky").renaming(false).build();
        ShardGraph withRenaming = record(8, renamed);
        ShardGraph withoutRenaming = record(8, inPlace);
        InferenceStats r = renamed.stats();
        InferenceStats p = inPlace.stats();
        // Every tile update reads the version it overwrites, so each write-after-write pair is also a read after write:
        // the graphs are the same, and renaming has nothing to remove in Cholesky.
        assertEquals(r.readAfterWrite(), p.readAfterWrite());
        assertEquals(0, p.writeAfterRead());
        assertEquals(0, p.writeAfterWrite());
        assertEquals(withRenaming.fingerprint(), withoutRenaming.fingerprint());
        assertEquals(CholeskyProgram.shardCount(8), r.calls());
    }

    @Test
    void theRecordedGraphRunsUnderRevocationsToTheSequentialBits() {
        int t = 6;
        int b = 24;
        CholeskyProgram program = new CholeskyProgram(t, b, 42);
        Recorder recorder = Recorder.create("cholesky");
        Data<double[]>[][] a = program.inputs(recorder);
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), a);
        RunResult result = Shatter.run(recorder.graph(), RunConfig.builder().ranks(1, 2, 0).seed(3)
                .revokeEvery(Duration.ofMillis(5)).retainIntermediateOutputs(true).build());
        double[][][] expected = program.sequential();
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                assertArrayEquals(expected[i][j], recorder.valueIn(result, a[i][j]), 0.0, "tile " + i + "," + j);
            }
        }
        // The factor is right: L L^T gives back A (to rounding), so the reference itself is a Cholesky factor.
        double[][] l = new double[t * b][t * b];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < b; c++) {
                        if (i != j || c <= r) {
                            l[i * b + r][j * b + c] = expected[i][j][r * b + c];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) {
                double[] input = program.inputTile(i, j);
                for (int r = 0; r < b; r++) {
                    for (int c = 0; c < b; c++) {
                        double s = 0;
                        for (int k = 0; k < t * b; k++) {
                            s += l[i * b + r][k] * l[j * b + c][k];
                        }
                        if (i != j || c <= r) {
                            assertEquals(input[r * b + c], s, 1e-9 * t * b, "A(" + (i * b + r) + "," + (j * b + c) + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void shardCountsOfTheBars() {
        assertEquals(816, CholeskyProgram.shardCount(16));
        assertEquals(5984, CholeskyProgram.shardCount(32));
        Map<String, Integer> byKernel = new HashMap<>();
        for (ShardSpec s : record(16, Recorder.create("cholesky")).shards()) {
            byKernel.merge(s.id().substring(0, s.id().indexOf('-')), 1, Integer::sum);
        }
        assertEquals(Map.of("potrf", 16, "trsm", 120, "syrk", 120, "gemm", 560), byKernel);
        assertTrue(Arrays.asList(16, 120).containsAll(List.of(byKernel.get("potrf"), byKernel.get("trsm"))));
    }
}
