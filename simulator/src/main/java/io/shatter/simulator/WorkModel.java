package io.shatter.simulator;

import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How long each shard runs, where its safepoints are, how big its state is, and whether an attempt
 * fails: what a simulated rank needs instead of running the shard's body.
 *
 * <p>Durations are a property of the shard (every attempt of it does the same work): drawn once per
 * shard, fixed or log-normal with the given mean and spread (the standard deviation of the
 * logarithm), from a generator seeded by the seed and the shard's index, so they do not depend on
 * the order of events. Failures are drawn per attempt the same way.
 */
public final class WorkModel {
    private final long[] durations;
    private final int safepoints;
    private final long stateBytes;
    private final double failProbability;
    private final long seed;

    /**
     * @param meanNanos       mean duration of a shard (of a whole range shard), unless {@code byPrefix} names its id
     * @param byPrefix        mean durations of the shards whose id starts with a key (first match wins)
     * @param spread          0 for fixed durations, else the log-normal's standard deviation of {@code ln(duration)}
     * @param safepoints      safepoints (steps) of a resumable shard
     * @param stateBytes      size of a resumable shard's checkpoint
     * @param failProbability probability that an attempt throws (at its end)
     */
    public WorkModel(List<ShardSpec> specs, long meanNanos, Map<String, Long> byPrefix, double spread, int safepoints,
                     long stateBytes, double failProbability, long seed) {
        if (meanNanos <= 0 || spread < 0 || safepoints < 1 || stateBytes < 0 || failProbability < 0 || failProbability >= 1) {
            throw new IllegalArgumentException("durations must be positive, spread and state size not negative, safepoints at "
                    + "least 1 and the failure probability in [0, 1)");
        }
        this.safepoints = safepoints;
        this.stateBytes = stateBytes;
        this.failProbability = failProbability;
        this.seed = seed;
        Map<String, Long> prefixes = new LinkedHashMap<>(byPrefix);
        durations = new long[specs.size()];
        for (ShardSpec spec : specs) {
            long mean = meanNanos;
            for (Map.Entry<String, Long> e : prefixes.entrySet()) {
                if (spec.id().startsWith(e.getKey())) {
                    mean = e.getValue();
                    break;
                }
            }
            durations[spec.index()] = spread == 0 ? mean : logNormal(mean, spread, new SplittableRandom(mix(seed, spec.index())));
        }
    }

    /** A log-normal draw with mean {@code mean}: {@code exp(mu + spread * N(0,1))}, {@code mu = ln(mean) - spread^2 / 2}. */
    private static long logNormal(long mean, double spread, SplittableRandom random) {
        double mu = Math.log(mean) - spread * spread / 2;
        return Math.max(1, Math.round(Math.exp(mu + spread * random.nextGaussian())));
    }

    /** The whole shard's run time (all blocks of a range shard, all steps of a resumable one). */
    public long durationNanos(ShardSpec spec) {
        return durations[spec.index()];
    }

    /** Steps of one unit of work: safepoints of a resumable shard, blocks of a range chunk, one for a plain shard. */
    int steps(ShardSpec spec) {
        return spec.kind() == ShardKind.RESUMABLE ? safepoints : spec.kind() == ShardKind.RANGE ? spec.blockCount() : 1;
    }

    /** Run time of one step (one block of a range shard). */
    long stepNanos(ShardSpec spec) {
        return Math.max(1, durations[spec.index()] / steps(spec));
    }

    /** Size of a resumable shard's saved state. */
    public long stateBytes(ShardSpec spec) {
        return spec.kind() == ShardKind.RESUMABLE ? stateBytes : 0;
    }

    /** Whether attempt {@code attempt} of unit {@code taskId} (a shard, or a chunk of a range shard) throws. */
    boolean fails(ShardSpec spec, int taskId, int attempt) {
        if (failProbability == 0) {
            return false;
        }
        long h = mix(mix(seed ^ 0x5DEECE66DL, spec.index()), ((long) attempt << 32) | (taskId & 0xFFFFFFFFL));
        return (h >>> 11) * 0x1.0p-53 < failProbability;
    }

    /** SplitMix64's finaliser over two values: a well-spread hash for seeding per-shard draws. */
    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
