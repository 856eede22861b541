package io.shatter.cli.workloads;

import io.shatter.cli.workloads.TaskBenchPattern.Type;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each pattern's edges, written out by hand from Task Bench's definitions (not from the code under test). */
class TaskBenchPatternTest {

    private static int[] deps(Type type, int width, int steps, int radix, int t, int p) {
        return new TaskBenchPattern(type, width, steps, radix).dependencies(t, p);
    }

    private static int[] deps(Type type, int width, int t, int p) {
        return deps(type, width, 10, 3, t, p);
    }

    @Test
    void firstStepReadsNothing() {
        for (Type type : Type.values()) {
            assertArrayEquals(new int[0], deps(type, 4, 0, 0), type.cliName());
        }
    }

    @Test
    void trivialNoCommAndAllToAll() {
        assertArrayEquals(new int[0], deps(Type.TRIVIAL, 4, 3, 2));
        assertArrayEquals(new int[] {2}, deps(Type.NO_COMM, 4, 3, 2));
        assertArrayEquals(new int[] {0, 1, 2}, deps(Type.ALL_TO_ALL, 3, 1, 1));
    }

    @Test
    void stencilClipsAtTheEdgesAndThePeriodicOneWraps() {
        assertArrayEquals(new int[] {0, 1}, deps(Type.STENCIL_1D, 4, 1, 0));
        assertArrayEquals(new int[] {0, 1, 2}, deps(Type.STENCIL_1D, 4, 1, 1));
        assertArrayEquals(new int[] {2, 3}, deps(Type.STENCIL_1D, 4, 1, 3));
        assertArrayEquals(new int[] {0, 1, 3}, deps(Type.STENCIL_1D_PERIODIC, 4, 1, 0));
        assertArrayEquals(new int[] {0, 1, 2}, deps(Type.STENCIL_1D_PERIODIC, 4, 1, 1));
        assertArrayEquals(new int[] {0, 2, 3}, deps(Type.STENCIL_1D_PERIODIC, 4, 1, 3));
        // Width 2: the wrapped neighbour is already in the stencil; one edge each.
        assertArrayEquals(new int[] {0, 1}, deps(Type.STENCIL_1D_PERIODIC, 2, 1, 0));
        assertArrayEquals(new int[] {0}, deps(Type.STENCIL_1D, 1, 1, 0));
    }

    @Test
    void domGrowsThenShrinksWithAnOffset() {
        TaskBenchPattern dom = new TaskBenchPattern(Type.DOM, 3, 6, 3);
        int[] widths = {1, 2, 3, 3, 2, 1};
        int[] offsets = {0, 0, 0, 0, 1, 2};
        for (int t = 0; t < 6; t++) {
            assertEquals(widths[t], dom.widthAt(t), "width of step " + t);
            assertEquals(offsets[t], dom.offsetAt(t), "offset of step " + t);
        }
        assertEquals(12, dom.taskCount());
        assertArrayEquals(new int[] {0}, dom.dependencies(1, 1));
        assertArrayEquals(new int[] {0}, dom.dependencies(1, 0));
        assertArrayEquals(new int[] {1, 2}, dom.dependencies(3, 2));
        assertArrayEquals(new int[] {0, 1}, dom.dependencies(4, 1));
        assertArrayEquals(new int[] {1, 2}, dom.dependencies(5, 2));
        assertFalse(dom.has(4, 0));
        assertTrue(dom.has(4, 2));
    }

    @Test
    void treeDoublesAndReadsTheParent() {
        TaskBenchPattern tree = new TaskBenchPattern(Type.TREE, 8, 6, 3);
        int[] widths = {1, 2, 4, 8, 8, 8};
        for (int t = 0; t < 6; t++) {
            assertEquals(widths[t], tree.widthAt(t));
        }
        assertArrayEquals(new int[] {0}, tree.dependencies(1, 1));
        assertArrayEquals(new int[] {1}, tree.dependencies(2, 3));
        assertArrayEquals(new int[] {3}, tree.dependencies(4, 7));
    }

    @Test
    void fftButterfliesCycleThroughLog2WidthDistances() {
        // W = 8: L = 3, s = (t + 2) mod 3: t = 1 -> 1, t = 2 -> 2, t = 3 -> 4, t = 4 -> 1.
        assertArrayEquals(new int[] {0, 1}, deps(Type.FFT, 8, 1, 0));
        assertArrayEquals(new int[] {2, 3, 4}, deps(Type.FFT, 8, 1, 3));
        assertArrayEquals(new int[] {6, 7}, deps(Type.FFT, 8, 1, 7));
        assertArrayEquals(new int[] {0, 2}, deps(Type.FFT, 8, 2, 0));
        assertArrayEquals(new int[] {1, 3, 5}, deps(Type.FFT, 8, 2, 3));
        assertArrayEquals(new int[] {1, 5}, deps(Type.FFT, 8, 3, 5));
        assertArrayEquals(new int[] {2, 3, 4}, deps(Type.FFT, 8, 4, 3));
        // W = 5: L = ceil(log2 5) = 3; distance 4 at t = 3 reaches past the edge only on one side.
        assertArrayEquals(new int[] {0, 4}, deps(Type.FFT, 5, 3, 0));
        assertArrayEquals(new int[] {0, 4}, deps(Type.FFT, 5, 3, 4));
        assertArrayEquals(new int[] {2}, deps(Type.FFT, 5, 3, 2));
    }

    @Test
    void nearestReadsRadixNeighbours() {
        assertArrayEquals(new int[] {3, 4, 5}, deps(Type.NEAREST, 8, 10, 3, 1, 4));
        assertArrayEquals(new int[] {2, 3, 4, 5, 6}, deps(Type.NEAREST, 8, 10, 5, 1, 4));
        assertArrayEquals(new int[] {0, 1, 2}, deps(Type.NEAREST, 8, 10, 5, 1, 0));
        assertArrayEquals(new int[] {5, 6, 7}, deps(Type.NEAREST, 8, 10, 5, 1, 7));
        // Even radix: R/2 below, (R-1)/2 above.
        assertArrayEquals(new int[] {2, 3, 4, 5}, deps(Type.NEAREST, 8, 10, 4, 1, 4));
        assertArrayEquals(new int[] {4}, deps(Type.NEAREST, 8, 10, 1, 1, 4));
    }

    @Test
    void shapesThatCannotExistAreRefusedByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TaskBenchPattern(Type.FFT, 1, 4, 3)).getMessage().contains("--width"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TaskBenchPattern(Type.NEAREST, 4, 4, 0)).getMessage().contains("--radix"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TaskBenchPattern(Type.STENCIL_1D, 0, 4, 3)).getMessage().contains("--width"));
    }

    @Test
    void aTaskGivenTheWrongInputFailsNamingTheEdge() {
        byte[] fromPoint0 = TaskBenchKernel.run(0, 0, new int[0], new byte[0][], 10, 16);
        byte[] fromPoint1 = TaskBenchKernel.run(0, 1, new int[0], new byte[0][], 10, 16);
        TaskBenchKernel.run(1, 0, new int[] {0, 1}, new byte[][] {fromPoint0, fromPoint1}, 10, 16);
        IllegalStateException swapped = assertThrows(IllegalStateException.class,
                () -> TaskBenchKernel.run(1, 0, new int[] {0, 1}, new byte[][] {fromPoint1, fromPoint0}, 10, 16));
        assertTrue(swapped.getMessage().contains("expected input 1 from (step 0, point 0) but received (step 0, point 1)"), swapped.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> TaskBenchKernel.run(1, 0, new int[] {0, 1}, new byte[][] {fromPoint0}, 10, 16));
        assertTrue(missing.getMessage().contains("received 1 inputs, its pattern defines 2"), missing.getMessage());
        byte[] stale = TaskBenchKernel.run(1, 0, new int[] {0, 1}, new byte[][] {fromPoint0, fromPoint1}, 10, 16);
        assertThrows(IllegalStateException.class, () -> TaskBenchKernel.run(1, 0, new int[] {0}, new byte[][] {stale}, 10, 16));
    }

    @Test
    void outputsHaveTheRequestedSizeAndDependOnTheIterations() {
        byte[] a = TaskBenchKernel.run(0, 3, new int[0], new byte[0][], 100, 64);
        byte[] b = TaskBenchKernel.run(0, 3, new int[0], new byte[0][], 101, 64);
        assertEquals(64, a.length);
        assertArrayEquals(new int[] {0, 3}, TaskBenchKernel.tagOf(a));
        assertTrue(TaskBenchKernel.checksumOf(a) != TaskBenchKernel.checksumOf(b));
    }
}
