package io.shatter.benchmarks;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.ShardGraph;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Command;
import io.shatter.broker.core.CoreSettings;
import io.shatter.broker.core.Event;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.spi.PersistenceForecaster;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The broker core alone: no threads, no encoding, no transport. A graph of {@value #SHARDS}
 * independent no-op shards runs on {@code ranks} simulated ranks that answer every assignment with
 * "done" at once; each operation is one shard decision (placed, assigned, its result committed).
 * The ranks report {@value #REPORTED_RUN_NANOS} ns of run time, so the broker queues one attempt per
 * core: otherwise its pipelining (up to 1,024 queued per core for very short shards) would hold the
 * whole graph in flight at 10,000 ranks and 16,000 attempts at 16, and the comparison would measure
 * the cache footprint of that, not the cost of a decision.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar BrokerCoreBenchmark -p ranks=16,10000}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BrokerCoreBenchmark {
    static final int SHARDS = 200_000;
    static final long REPORTED_RUN_NANOS = 50_000_000;

    @Param({"16", "10000"})
    int ranks;

    private ShardGraph graph;
    private CoreSettings settings;
    private final List<Command> commands = new ArrayList<>();
    private final List<Command> batch = new ArrayList<>();

    @Setup
    public void setUp() {
        ShardGraph.Builder g = ShardGraph.builder("core-bench");
        for (int i = 0; i < SHARDS; i++) {
            g.shard("s" + i).compute(Codecs.INT, ctx -> 0);
        }
        graph = g.build();
        settings = new CoreSettings(RankLayout.of(ranks, 0, 0, 1), 200_000_000, false, false, 0,
                OptionalInt.empty(), 0, 1, false);
    }

    /**
     * Thread CPU time per decision, for a machine too busy for wall-clock figures:
     * {@code java -cp benchmarks/target/benchmarks.jar io.shatter.benchmarks.BrokerCoreBenchmark 16 10000}.
     */
    public static void main(String[] args) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (String ranks : args) {
            BrokerCoreBenchmark b = new BrokerCoreBenchmark();
            b.ranks = Integer.parseInt(ranks);
            b.setUp();
            for (int i = 0; i < 10; i++) {
                b.decide(); // warm-up
            }
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                long start = cpu.getCurrentThreadCpuTime();
                b.decide();
                best = Math.min(best, cpu.getCurrentThreadCpuTime() - start);
            }
            System.out.printf("ranks %6d: %.0f ns CPU per decision (best of 10), %.0f decisions/s of CPU%n", b.ranks,
                    (double) best / SHARDS, SHARDS * 1e9 / best);
        }
    }

    /** One whole graph through a fresh core; throughput is per shard decision. */
    @Benchmark
    @OperationsPerInvocation(SHARDS)
    public int decide() {
        commands.clear();
        BrokerCore core = new BrokerCore(graph, settings, new DefaultPlacementPolicy(), new PersistenceForecaster(), commands::add);
        long now = 0;
        for (int r = 1; r <= ranks; r++) {
            core.handle(new Event.WorkerHello(r, 1, List.of(), graph.fingerprint()), now);
        }
        core.start(now);
        byte[] output = Codecs.INT.encode(0);
        while (!core.isFinished()) {
            core.dispatch(now);
            batch.clear();
            batch.addAll(commands);
            commands.clear();
            for (Command c : batch) {
                if (c instanceof Command.AssignBatch b) {
                    for (Command.Assign a : b.assignments()) {
                        core.handle(new Event.AttemptDone(a.rank(), a.taskId(), a.attempt(), REPORTED_RUN_NANOS, output), now);
                    }
                }
            }
            now += 1_000;
        }
        return core.shardsCompleted();
    }
}
