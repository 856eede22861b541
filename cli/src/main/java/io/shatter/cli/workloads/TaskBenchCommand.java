package io.shatter.cli.workloads;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.Codecs;
import io.shatter.RunResult;
import io.shatter.RunSummary;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.cli.Numbers;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Map;

/**
 * Task Bench (Slaughter et al., SC20) on Shatter: {@code --width} points over {@code --steps} time
 * steps, one shard per task, edges from a {@link TaskBenchPattern}; each task checks the tags of
 * the inputs it received against its pattern, runs {@link TaskBenchKernel#compute} for
 * {@code --iterations} and returns {@code --output-bytes}. Prints one {@code taskbench: {json}}
 * line with the figures the harness turns into efficiency and METG.
 */
@Command(name = "taskbench", mixinStandardHelpOptions = true,
        description = "Task Bench's dependence patterns over a compute-bound kernel; prints a 'taskbench: {json}' line.")
public final class TaskBenchCommand extends WorkloadCommand {
    @Option(names = "--type", paramLabel = "PATTERN", converter = TypeConverter.class,
            description = "trivial, no_comm, stencil_1d, stencil_1d_periodic, dom, tree, fft, all_to_all or nearest (default: stencil_1d).")
    TaskBenchPattern.Type type = TaskBenchPattern.Type.STENCIL_1D;

    @Option(names = "--width", paramLabel = "W", converter = Numbers.Positive.class, description = "Points per step (default: ${DEFAULT-VALUE}).")
    int width = 2;

    @Option(names = "--steps", paramLabel = "N", converter = Numbers.Positive.class, description = "Time steps (default: ${DEFAULT-VALUE}).")
    int steps = 100;

    @Option(names = "--iterations", paramLabel = "N", converter = Numbers.NonNegative.class,
            description = "Kernel iterations per task, 16 flops each (default: ${DEFAULT-VALUE}).")
    int iterations = 1000;

    @Option(names = "--output-bytes", paramLabel = "B", converter = Numbers.Positive.class,
            description = "Bytes each task outputs, at least 16 (its tag and checksum; default: ${DEFAULT-VALUE}).")
    int outputBytes = TaskBenchKernel.HEADER_BYTES;

    @Option(names = "--radix", paramLabel = "R", converter = Numbers.Positive.class,
            description = "Points each task reads in the nearest pattern (default: ${DEFAULT-VALUE}).")
    int radix = 3;

    @Option(names = "--warmup", paramLabel = "STEPS", converter = Numbers.NonNegative.class,
            description = "First run the same pattern over STEPS steps, untimed, so the JIT has compiled the broker and worker "
                    + "paths (default: 0, a cold JVM).")
    int warmup;

    private TaskBenchPattern pattern;
    private Shard<byte[]>[][] shards;

    /** Pattern names as Task Bench writes them ({@code stencil_1d}), case-insensitive. */
    public static final class TypeConverter implements CommandLine.ITypeConverter<TaskBenchPattern.Type> {
        @Override
        public TaskBenchPattern.Type convert(String text) {
            for (TaskBenchPattern.Type t : TaskBenchPattern.Type.values()) {
                if (t.cliName().equalsIgnoreCase(text.trim())) {
                    return t;
                }
            }
            throw new CommandLine.TypeConversionException("'" + io.shatter.cli.Texts.clip(text) + "' is not a pattern; use one of trivial, no_comm, "
                    + "stencil_1d, stencil_1d_periodic, dom, tree, fft, all_to_all, nearest");
        }
    }

    @Override
    protected ShardGraph warmupGraph() {
        return warmup == 0 ? null : graph("taskbench-warmup-" + type.cliName(), patternOf(warmup), null);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ShardGraph buildGraph() {
        pattern = patternOf(steps);
        shards = new Shard[steps][width];
        return graph("taskbench-" + type.cliName(), pattern, shards);
    }

    private TaskBenchPattern patternOf(int stepCount) {
        if (outputBytes < TaskBenchKernel.HEADER_BYTES) {
            throw new UserException("--output-bytes must be at least " + TaskBenchKernel.HEADER_BYTES + " (the tag and checksum), got " + outputBytes);
        }
        TaskBenchPattern built;
        try {
            built = new TaskBenchPattern(type, width, stepCount, radix);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        if (built.taskCount() > 10_000_000) {
            throw new UserException("--width x --steps gives " + built.taskCount() + " tasks; at most 10,000,000 are allowed");
        }
        return built;
    }

    /** The graph of {@code pat}; its shards by step and point go into {@code keep} when given (to verify them). */
    @SuppressWarnings("unchecked")
    private ShardGraph graph(String name, TaskBenchPattern pat, Shard<byte[]>[][] keep) {
        int stepCount = pat.steps();
        Shard<byte[]>[][] all = keep != null ? keep : new Shard[stepCount][width];
        ShardGraph.Builder g = ShardGraph.builder(name);
        for (int t = 0; t < stepCount; t++) {
            int offset = pat.offsetAt(t);
            for (int p = offset; p < offset + pat.widthAt(t); p++) {
                int step = t;
                int point = p;
                int[] deps = pat.dependencies(t, p);
                Shard<byte[]>[] inputs = new Shard[deps.length];
                for (int i = 0; i < deps.length; i++) {
                    inputs[i] = all[t - 1][deps[i]];
                }
                long iters = iterations;
                int bytes = outputBytes;
                all[t][p] = g.shard("t" + t + "p" + p).inputs(inputs).compute(Codecs.BYTES, ctx -> {
                    byte[][] received = new byte[inputs.length][];
                    for (int i = 0; i < inputs.length; i++) {
                        received[i] = ctx.input(inputs[i]);
                    }
                    return TaskBenchKernel.run(step, point, deps, received, iters, bytes);
                });
            }
        }
        return g.build();
    }

    @Override
    protected String describe(RunResult result) {
        if (!result.isBroker()) {
            return "taskbench: worker rank done";
        }
        RunSummary s = result.summary();
        PoolTiming timing = PoolTiming.of(result);
        double joinSeconds = timing.joinSeconds();
        double inPoolSeconds = timing.inPoolSeconds();
        Map<String, Object> figures = pattern.reportFigures("shatter", iterations, outputBytes);
        figures.put("workers", s.shardsByRank().size() * options.coresPerRank());
        figures.put("in_pool_s", inPoolSeconds);
        figures.put("makespan_s", s.makespanSeconds());
        figures.put("join_s", joinSeconds);
        figures.put("attempts", s.attemptsStarted());
        figures.put("warmup_steps", warmup);
        figures.put("broker_ns_per_shard", s.brokerNanosPerShard());
        try {
            return "taskbench: " + new ObjectMapper().writeValueAsString(figures);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String verify(RunResult result) {
        long[][] expected = TaskBenchKernel.sequentialChecksums(pattern, iterations, outputBytes);
        int compared = 0;
        for (int t = 0; t < steps; t++) {
            for (int p = 0; p < width; p++) {
                Shard<byte[]> shard = shards[t][p];
                if (shard == null) {
                    continue;
                }
                byte[] out;
                try {
                    out = result.get(shard);
                } catch (IllegalStateException dropped) {
                    continue; // an intermediate output: the last steps' checksums cover it
                }
                int[] tag = TaskBenchKernel.tagOf(out);
                if (tag[0] != t || tag[1] != p) {
                    return "shard " + shard.id() + " holds the output of (step " + tag[0] + ", point " + tag[1] + ")";
                }
                if (TaskBenchKernel.checksumOf(out) != expected[t][p]) {
                    return String.format(Locale.ROOT, "shard %s's checksum %016x differs from the sequential run's %016x", shard.id(),
                            TaskBenchKernel.checksumOf(out), expected[t][p]);
                }
                compared++;
            }
        }
        return compared == 0 ? "no output was kept to compare" : null;
    }

    @Override
    protected String verifiedClaim() {
        return String.format(Locale.ROOT, "%d tasks of %s (width %d, %d steps): every input carried the tag its pattern defines, "
                + "and the kept outputs' checksums equal a sequential run's", pattern.taskCount(), type.cliName(), width, steps);
    }
}
