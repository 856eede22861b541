package io.shatter.cli.workloads;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.Codecs;
import io.shatter.RunResult;
import io.shatter.RunSummary;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.cli.DurationConverter;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The task-farm micro-benchmark the harness ({@code benchmarks/harness/run.sh}) runs against
 * mpi4py.futures and Dask: {@code --tasks} independent shards, each busy for {@code --grain}
 * (busy-spinning, not sleeping, so that it really occupies a core) and returning its own index.
 * Prints one {@code bench: {...}} JSON line with the figures the harness parses.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Task-farm throughput benchmark: N independent shards of busy work; prints a 'bench: {json}' line.")
public final class BenchCommand extends WorkloadCommand {
    @Option(names = "--tasks", paramLabel = "N", converter = io.shatter.cli.Numbers.Positive.class, description = "Independent shards (default: ${DEFAULT-VALUE}).")
    int tasks = 10_000;

    @Option(names = "--grain", paramLabel = "DURATION", converter = GrainConverter.class,
            description = "Busy work per shard, e.g. 0 (no-op), 100us, 1ms, 10ms (default: 0).")
    Duration grain = Duration.ZERO;

    @Option(names = "--warmup", paramLabel = "N", converter = io.shatter.cli.Numbers.NonNegative.class, description = "First run N shards of the same grain, untimed, so the JIT "
            + "has compiled the broker and worker paths (default: 0, a cold JVM).")
    int warmup;

    private final List<Shard<Integer>> shards = new ArrayList<>();
    /** When the run was handed to the runtime, in ms since the epoch (to split off JVM startup). */
    private long runStartedEpochMillis;
    /** This JVM's CPU times when the run was handed to the runtime. */
    private RunCpu cpuAtStart;

    /** {@code 0} means no work at all; anything else is a duration as everywhere else. */
    public static final class GrainConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return text.trim().matches("0+(\\.0*)?\\s*(ns|us|ms|s|m|h)?") ? Duration.ZERO : new DurationConverter().convert(text);
        }
    }

    @Override
    protected ShardGraph warmupGraph() {
        if (warmup < 0) {
            throw new UserException("--warmup must not be negative, got " + warmup);
        }
        return warmup == 0 ? null : graph("bench-warmup", warmup, null);
    }

    @Override
    protected ShardGraph buildGraph() {
        if (tasks < 1) {
            throw new UserException("--tasks must be at least 1, got " + tasks);
        }
        ShardGraph graph = graph("bench", tasks, shards);
        runStartedEpochMillis = System.currentTimeMillis();
        cpuAtStart = RunCpu.now();
        return graph;
    }

    private ShardGraph graph(String name, int count, List<Shard<Integer>> handles) {
        long grainNanos = grain.toNanos();
        ShardGraph.Builder g = ShardGraph.builder(name);
        for (int i = 0; i < count; i++) {
            int index = i;
            Shard<Integer> shard = g.shard("t" + i).compute(Codecs.INT, ctx -> {
                spin(grainNanos);
                return index;
            });
            if (handles != null) {
                handles.add(shard);
            }
        }
        return g.build();
    }

    /** Occupies the core for {@code nanos}: the peers' tasks spin the same way. */
    static void spin(long nanos) {
        if (nanos <= 0) {
            return;
        }
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Override
    protected boolean dropIntermediateOutputs() {
        return false;
    }

    @Override
    protected String describe(RunResult result) {
        if (!result.isBroker()) {
            return "bench: worker rank done";
        }
        RunSummary s = result.summary();
        PoolTiming timing = PoolTiming.of(result);
        double joinSeconds = timing.joinSeconds();
        double inPoolSeconds = timing.inPoolSeconds();
        int workers = s.shardsByRank().size() * options.coresPerRank();
        double idealBusySeconds = tasks * (grain.toNanos() / 1e9);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("system", "shatter");
        figures.put("tasks", tasks);
        figures.put("grain_s", grain.toNanos() / 1e9);
        figures.put("workers", workers);
        figures.put("in_pool_s", inPoolSeconds);
        figures.put("tasks_per_s", tasks / inPoolSeconds);
        figures.put("efficiency", idealBusySeconds / (inPoolSeconds * workers));
        figures.put("makespan_s", s.makespanSeconds());
        figures.put("join_s", joinSeconds);
        figures.put("warmup_tasks", warmup);
        figures.put("jvm_startup_s", (runStartedEpochMillis - ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3);
        figures.put("attempts", s.attemptsStarted());
        figures.put("broker_ns_per_shard", s.brokerNanosPerShard());
        // This JVM's CPU during the run (local ranks: every rank's; under mpirun: the broker's): what the lanes did not get.
        Double[] cpu = RunCpu.now().secondsSince(cpuAtStart);
        figures.put("run_cpu_s", cpu[0]);
        figures.put("run_jit_cpu_s", cpu[1]);
        figures.put("run_gc_cpu_s", cpu[2]);
        try {
            return "bench: " + new ObjectMapper().writeValueAsString(figures);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String verify(RunResult result) {
        long sum = 0;
        for (int i = 0; i < tasks; i++) {
            int value = result.get(shards.get(i));
            if (value != i) {
                return "shard t" + i + " returned " + value + ", another shard's index";
            }
            sum += value;
        }
        long expected = (long) tasks * (tasks - 1) / 2;
        if (sum != expected) {
            return "indices sum to " + sum + " but the sequential sum is " + expected;
        }
        RunSummary s = result.summary();
        boolean undisturbed = s.revocations() == 0 && s.preemptions() == 0 && s.retries() == 0 && s.lostAttempts() == 0;
        if (undisturbed && s.attemptsStarted() != tasks) {
            return s.attemptsStarted() + " attempts for " + tasks + " shards in a run without revocations or retries";
        }
        return null;
    }

    @Override
    protected String verifiedClaim() {
        return String.format(Locale.ROOT, "all %d shards committed their own index once (sum %d)", tasks, (long) tasks * (tasks - 1) / 2);
    }
}
