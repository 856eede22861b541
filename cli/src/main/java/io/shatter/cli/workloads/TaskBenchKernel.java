package io.shatter.cli.workloads;

import java.nio.ByteBuffer;

/**
 * One Task Bench task: a compute-bound kernel, then an output that names its point and step (the
 * tag each consumer checks) and carries a checksum of the kernel's result and of every input's
 * checksum, so the last step's outputs cover the whole graph and can be compared with a
 * sequential run bit for bit.
 *
 * <p>Output layout (big-endian): step (int), point (int), checksum (long), zero padding up to the
 * requested size.
 */
public final class TaskBenchKernel {
    /** Bytes the tag and the checksum take: the smallest {@code --output-bytes}. */
    public static final int HEADER_BYTES = 16;

    private TaskBenchKernel() {
    }

    /**
     * The kernel: {@code iterations} rounds of eight independent multiply-adds (16 flops), a fixed
     * floating-point loop whose result feeds the output, so the JIT can neither drop nor fold it.
     * The multiplier keeps the values bounded (no overflow, no denormals).
     */
    public static double compute(long iterations, double seed) {
        double a0 = seed, a1 = seed + 1, a2 = seed + 2, a3 = seed + 3, a4 = seed + 4, a5 = seed + 5, a6 = seed + 6, a7 = seed + 7;
        for (long i = 0; i < iterations; i++) {
            a0 = a0 * 0.999_999 + 0.5;
            a1 = a1 * 0.999_999 + 0.5;
            a2 = a2 * 0.999_999 + 0.5;
            a3 = a3 * 0.999_999 + 0.5;
            a4 = a4 * 0.999_999 + 0.5;
            a5 = a5 * 0.999_999 + 0.5;
            a6 = a6 * 0.999_999 + 0.5;
            a7 = a7 * 0.999_999 + 0.5;
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    /**
     * Runs task {@code (step, point)}: checks its inputs' tags against {@code expectedPoints} (the
     * points of step - 1 its pattern reads, ascending; {@code inputs} in the same order), runs the
     * kernel and returns its output.
     *
     * @throws IllegalStateException naming the task and the edge when an input is not the one the pattern defines
     */
    public static byte[] run(int step, int point, int[] expectedPoints, byte[][] inputs, long iterations, int outputBytes) {
        if (inputs.length != expectedPoints.length) {
            throw new IllegalStateException("task (step " + step + ", point " + point + ") received " + inputs.length
                    + " inputs, its pattern defines " + expectedPoints.length);
        }
        long checksum = mix(step * 1_000_003L + point);
        for (int i = 0; i < inputs.length; i++) {
            ByteBuffer in = ByteBuffer.wrap(inputs[i]);
            int inStep = in.getInt();
            int inPoint = in.getInt();
            if (inStep != step - 1 || inPoint != expectedPoints[i] || inputs[i].length < HEADER_BYTES) {
                throw new IllegalStateException("task (step " + step + ", point " + point + ") expected input " + (i + 1) + " from (step "
                        + (step - 1) + ", point " + expectedPoints[i] + ") but received (step " + inStep + ", point " + inPoint + ")");
            }
            checksum = mix(checksum ^ in.getLong());
        }
        double result = compute(iterations, (point + step) % 16);
        checksum = mix(checksum ^ Double.doubleToLongBits(result));
        ByteBuffer out = ByteBuffer.allocate(Math.max(HEADER_BYTES, outputBytes));
        out.putInt(step).putInt(point).putLong(checksum);
        return out.array();
    }

    /** The checksum an output carries. */
    public static long checksumOf(byte[] output) {
        return ByteBuffer.wrap(output).getLong(8);
    }

    /** The tag of an output: {@code {step, point}}. */
    public static int[] tagOf(byte[] output) {
        ByteBuffer b = ByteBuffer.wrap(output);
        return new int[] {b.getInt(0), b.getInt(4)};
    }

    /** SplitMix64's finaliser: every input bit moves the checksum. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * The whole graph run sequentially on one thread: every task's checksum, by step and point (0
     * where the step has no such point). What {@code --verify} compares with.
     */
    public static long[][] sequentialChecksums(TaskBenchPattern pattern, long iterations, int outputBytes) {
        long[][] sums = new long[pattern.steps()][pattern.width()];
        byte[][] previous = new byte[pattern.width()][];
        for (int t = 0; t < pattern.steps(); t++) {
            byte[][] current = new byte[pattern.width()][];
            int offset = pattern.offsetAt(t);
            for (int p = offset; p < offset + pattern.widthAt(t); p++) {
                int[] deps = pattern.dependencies(t, p);
                byte[][] inputs = new byte[deps.length][];
                for (int i = 0; i < deps.length; i++) {
                    inputs[i] = previous[deps[i]];
                }
                current[p] = run(t, p, deps, inputs, iterations, outputBytes);
                sums[t][p] = checksumOf(current[p]);
            }
            previous = current;
        }
        return sums;
    }
}
