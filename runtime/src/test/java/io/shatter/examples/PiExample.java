package io.shatter.examples;

import io.shatter.Codecs;
import io.shatter.Priority;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.Shatter;

public class PiExample {
    public static void main(String[] args) {
        ShardGraph.Builder g = ShardGraph.builder("example");
        // A range shard: the broker splits [1, 10^7) into runs of blocks, sized to the capacity,
        // and combines the blocks' partial sums in index order, so any split gives the same bits.
        Shard<Double> harmonic = g.shard("harmonic").priority(Priority.HIGH)
                .parallelFor(1, 10_000_000, Codecs.DOUBLE, (from, to, ctx) -> {
                    double sum = 0;
                    for (long k = from; k < to; k++) {
                        sum += 1.0 / k;
                    }
                    return sum;
                }, Double::sum);
        // Passing a handle to inputs(...) makes the dependency; ctx.input(...) reads its output.
        Shard<String> report = g.shard("report").inputs(harmonic)
                .compute(Codecs.STRING, ctx -> "H(10^7 - 1) = " + ctx.input(harmonic));
        // Two reserved ranks and one excess rank that is revoked every 20 ms: same result.
        RunConfig config = RunConfig.builder().ranks(2, 1, 0)
                .revokeEvery(java.time.Duration.ofMillis(20)).build();
        RunResult result = Shatter.run(g.build(), config);
        if (result.isBroker()) { // under mpirun every rank runs main; rank 0 has the result
            System.out.println(result.get(report));
        }
    }
}
