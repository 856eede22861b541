package io.shatter.benchmarks;

import io.shatter.Codecs;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;

/**
 * No-op shards through the broker on local ranks with two worker ranks: the runtime's own cost per
 * shard, end to end (encode, transport, decode, schedule, commit). Reported as shards per second;
 * the broker's CPU time per shard is printed from the run summary after each iteration. With
 * {@code journal=true} the broker also journals every commit to a run directory in the temp dir.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar BrokerThroughputBenchmark -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BrokerThroughputBenchmark {
    private static final int SHARDS = 200_000;

    @Param({"2"})
    int workers;

    /** Whether the broker journals every commit to a run directory (as the CLI always does). */
    @Param({"false", "true"})
    boolean journal;

    private ShardGraph graph;
    private RunConfig config;
    private double brokerNanosPerShard;
    private Path runDirectory;

    @Setup(Level.Trial)
    public void buildGraph() {
        ShardGraph.Builder g = ShardGraph.builder("noop");
        for (int i = 0; i < SHARDS; i++) {
            g.shard("noop-" + i).compute(Codecs.NONE, ctx -> null);
        }
        graph = g.build();
        RunConfig.Builder builder = RunConfig.builder().ranks(workers, 0, 0);
        if (journal) {
            try {
                // Each run finishes its journal, so the next one moves it aside and starts afresh.
                runDirectory = Files.createTempDirectory("shatter-bench-run");
                builder.runDirectory(runDirectory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        config = builder.build();
    }

    @Benchmark
    @OperationsPerInvocation(SHARDS)
    public void noOpShards(Blackhole bh) {
        RunResult result = Shatter.run(graph, config);
        brokerNanosPerShard = result.summary().brokerNanosPerShard();
        bh.consume(result.summary().shardsCompleted());
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void deleteRunDirectory() throws IOException {
        if (runDirectory != null) {
            try (Stream<Path> files = Files.walk(runDirectory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Iteration)
    public void report() {
        System.out.printf("  [broker CPU per shard: %.0f ns]%n", brokerNanosPerShard);
    }
}
