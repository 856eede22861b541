package io.shatter.benchmarks;

import io.shatter.ShardGraph;
import io.shatter.cli.workloads.CholeskyKernelsFacade;
import io.shatter.cli.workloads.CholeskyProgram;
import io.shatter.decompose.Data;
import io.shatter.decompose.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of recording a call, from the facade call to the shard in a validated graph: the
 * textbook Cholesky loop through {@code CholeskyKernelsFacade} (3 to 4 data accesses per call, RAW
 * inference, the shard added to the {@code ShardGraph} builder), then {@code graph()} (validation,
 * cycle check, fingerprint). Reported per recorded call; {@code tiles} 39, 84 and 181 give about
 * 10^4, 10^5 and 10^6 calls, so equal figures mean inference is linear in calls. Tiles are 1x1:
 * the data's size is not what is measured.
 *
 * Average time per invocation (one whole recording), over iterations of several seconds: many
 * invocations at 10^4 calls, a dozen at 10^6.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RecordingBenchmark -f 1 -wi 3 -w 5s -i 5 -r 5s -prof gc [-jvmArgsAppend -Xmn4g]</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class RecordingBenchmark {

    @Param({"39", "84", "181"})
    int tiles;

    private Recorder recorder;
    private Data<double[]>[][] a;
    private long calls;

    /** A fresh recorder and data for every invocation (untimed), the previous graph collected first. */
    @Setup(Level.Invocation)
    public void prepare() {
        recorder = Recorder.create("cholesky");
        a = new CholeskyProgram(tiles, 1, 1).inputs(recorder);
        calls = CholeskyProgram.shardCount(tiles);
        System.gc(); // the previous invocation's graph (up to a million shards) must not be collected inside this one
    }

    /** Records the whole loop and builds the graph; the figure JMH prints is per invocation, divide by {@link #calls}. */
    @Benchmark
    public ShardGraph recordAndBuild() {
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), a);
        return recorder.graph();
    }

    /** Only the recording (inference and the builder's drafts), without {@code graph()}'s validation: where the time goes. */
    @Benchmark
    public Recorder recordOnly() {
        CholeskyProgram.factor(new CholeskyKernelsFacade(recorder), a);
        return recorder;
    }

    /** Prints the call count beside JMH's figure (per recording), so that the per-call cost is one division away. */
    @org.openjdk.jmh.annotations.TearDown(Level.Iteration)
    public void report() {
        System.out.printf(" [%d calls]", calls);
    }
}
