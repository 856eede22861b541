package io.shatter.cli.workloads;

import io.shatter.RunResult;

/**
 * A benchmark run's time split the way the peers report theirs: the ranks' join (broker start to
 * the first shard starting) apart from the in-pool time (first shard starting to the last commit),
 * so JVM startup and joining are not counted in the throughput. Needs no timeline
 * ({@link RunResult#firstAttemptStartNanos}), so a benchmark does not pay for recording one.
 *
 * @param joinSeconds   broker start until the first attempt started on a worker
 * @param inPoolSeconds from then until the last commit
 */
record PoolTiming(double joinSeconds, double inPoolSeconds) {

    static PoolTiming of(RunResult result) {
        double join = result.firstAttemptStartNanos().orElse(0) / 1e9;
        return new PoolTiming(join, Math.max(1e-9, result.summary().makespanSeconds() - join));
    }
}
