package io.shatter.cli.workloads;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.cli.Numbers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plain-Java floor for Task Bench: the same graph and kernel as {@code shatter run taskbench},
 * run by {@code --workers} threads of one JVM and no runtime (the way Task Bench's OpenMP version
 * runs: each step's points split among the threads, a barrier between steps). Outputs live in two
 * arrays (this step and the last), read directly; inputs are tag-checked as in Shatter. The harness
 * also uses it with one worker and one long task to measure the kernel's rate on one core.
 *
 * <pre>java -cp cli/target/shatter.jar io.shatter.cli.workloads.TaskBenchThreads --type stencil_1d --width 2 --steps 1000 --iterations 500</pre>
 */
@Command(name = "taskbench-threads", mixinStandardHelpOptions = true,
        description = "Task Bench on plain Java threads (no runtime); prints a 'taskbench: {json}' line.")
public final class TaskBenchThreads implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--type", converter = TaskBenchCommand.TypeConverter.class)
    TaskBenchPattern.Type type = TaskBenchPattern.Type.STENCIL_1D;
    @Option(names = "--width", converter = Numbers.Positive.class)
    int width = 2;
    @Option(names = "--steps", converter = Numbers.Positive.class)
    int steps = 100;
    @Option(names = "--iterations", converter = Numbers.NonNegative.class)
    int iterations = 1000;
    @Option(names = "--output-bytes", converter = Numbers.Positive.class)
    int outputBytes = TaskBenchKernel.HEADER_BYTES;
    @Option(names = "--radix", converter = Numbers.Positive.class)
    int radix = 3;
    @Option(names = "--workers", converter = Numbers.Positive.class, description = "Threads (default: ${DEFAULT-VALUE}).")
    int workers = 2;
    @Option(names = "--warmup", converter = Numbers.NonNegative.class, description = "Untimed runs of the same graph first (default: ${DEFAULT-VALUE}).")
    int warmup = 1;
    @Option(names = "--verify", description = "Compare every checksum with a sequential run.")
    boolean verify;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TaskBenchThreads()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        TaskBenchPattern pattern;
        try {
            pattern = new TaskBenchPattern(type, width, steps, radix);
        } catch (IllegalArgumentException e) {
            System.err.println("taskbench-threads: " + e.getMessage());
            return 2;
        }
        // The edges, computed before timing, as Shatter's graph is built before its run.
        int[][][] deps = new int[steps][width][];
        for (int t = 0; t < steps; t++) {
            for (int p = pattern.offsetAt(t); p < pattern.offsetAt(t) + pattern.widthAt(t); p++) {
                deps[t][p] = pattern.dependencies(t, p);
            }
        }
        for (int i = 0; i < warmup; i++) {
            run(pattern, deps);
        }
        long start = System.nanoTime();
        long[][] sums = run(pattern, deps);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> figures = pattern.reportFigures("java-threads", iterations, outputBytes);
        figures.put("workers", workers);
        figures.put("in_pool_s", seconds);
        System.out.println("taskbench: " + new ObjectMapper().writeValueAsString(figures));
        if (verify) {
            long[][] expected = TaskBenchKernel.sequentialChecksums(pattern, iterations, outputBytes);
            for (int t = 0; t < steps; t++) {
                if (!java.util.Arrays.equals(expected[t], sums[t])) {
                    System.out.println("NOT verified: step " + t + " differs from the sequential run");
                    return 3;
                }
            }
            System.out.println("verified: every checksum equals the sequential run's");
        }
        return 0;
    }

    /** One run of the graph; every task's checksum by step and point. */
    private long[][] run(TaskBenchPattern pattern, int[][][] deps) throws InterruptedException {
        long[][] sums = new long[steps][width];
        byte[][][] buffers = {new byte[width][], new byte[width][]};
        CyclicBarrier stepDone = new CyclicBarrier(workers);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            int me = w;
            threads[w] = new Thread(() -> {
                try {
                    for (int t = 0; t < steps && failure.get() == null; t++) {
                        byte[][] previous = buffers[(t + 1) % 2];
                        byte[][] current = buffers[t % 2];
                        int offset = pattern.offsetAt(t);
                        int count = pattern.widthAt(t);
                        // Block distribution, as Task Bench's OpenMP version's static schedule.
                        int from = offset + (int) ((long) count * me / workers);
                        int to = offset + (int) ((long) count * (me + 1) / workers);
                        for (int p = from; p < to; p++) {
                            int[] edges = deps[t][p];
                            byte[][] inputs = new byte[edges.length][];
                            for (int i = 0; i < edges.length; i++) {
                                inputs[i] = previous[edges[i]];
                            }
                            current[p] = TaskBenchKernel.run(t, p, edges, inputs, iterations, outputBytes);
                            sums[t][p] = TaskBenchKernel.checksumOf(current[p]);
                        }
                        stepDone.await();
                    }
                } catch (InterruptedException | BrokenBarrierException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                    stepDone.reset();
                }
            }, "taskbench-" + me);
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a task failed: " + failure.get().getMessage(), failure.get());
        }
        return sums;
    }
}
