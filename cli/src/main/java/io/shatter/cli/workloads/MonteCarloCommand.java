package io.shatter.cli.workloads;

import io.shatter.Codecs;
import io.shatter.Priority;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Estimates pi by sampling the unit square, split into many independent shards (each with its own
 * seeded generator, so the estimate is reproducible) and one shard that combines their counts.
 */
@Command(name = "montecarlo", mixinStandardHelpOptions = true,
        description = "Estimates pi from random samples split into many independent shards.")
public final class MonteCarloCommand extends WorkloadCommand {
    @Option(names = "--shards", paramLabel = "N", converter = io.shatter.cli.Numbers.Positive.class, description = "Independent sampling shards (default: ${DEFAULT-VALUE}).")
    int shards = 256;

    @Option(names = "--samples", paramLabel = "N", converter = io.shatter.cli.Numbers.Positive.class, description = "Samples per shard (default: ${DEFAULT-VALUE}).")
    long samples = 400_000;

    private Shard<Double> estimate;

    @Override
    protected ShardGraph buildGraph() {
        if (shards < 1 || samples < 1) {
            throw new UserException("--shards and --samples must be at least 1");
        }
        ShardGraph.Builder g = ShardGraph.builder("montecarlo");
        List<Shard<Long>> counts = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            int index = i;
            // Mixed priorities, so that the run exercises the broker's ordering.
            Priority priority = i % 4 == 0 ? Priority.HIGH : i % 4 == 3 ? Priority.LOW : Priority.MEDIUM;
            counts.add(g.shard("sample-" + i).priority(priority).compute(Codecs.LONG, ctx -> hits(options.seed(), index, samples)));
        }
        estimate = g.shard("estimate").priority(Priority.HIGH).inputs(counts.toArray(new Shard<?>[0])).compute(Codecs.DOUBLE, ctx -> {
            long total = 0;
            for (Shard<Long> c : counts) {
                total += ctx.input(c);
            }
            return 4.0 * total / ((double) shards * samples);
        });
        return g.build();
    }

    /** Samples falling inside the quarter circle, from shard {@code index}'s own generator. */
    static long hits(long seed, int index, long samples) {
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + index);
        long inside = 0;
        for (long k = 0; k < samples; k++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }

    @Override
    protected String describe(RunResult result) {
        return String.format(Locale.ROOT, "pi ~ %.8f from %d samples in %d shards", result.get(estimate), shards * samples, shards);
    }

    @Override
    protected String verify(RunResult result) {
        long total = 0;
        for (int i = 0; i < shards; i++) {
            total += hits(options.seed(), i, samples);
        }
        double expected = 4.0 * total / ((double) shards * samples);
        double actual = result.get(estimate);
        return Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual) ? null
                : "estimate " + actual + " but the sequential computation gives " + expected;
    }

    @Override
    protected String verifiedClaim() {
        return "estimate equals the sequential computation bit for bit (" + shards + " shards)";
    }
}
