package io.shatter.cli.workloads;

import io.shatter.RunResult;
import io.shatter.observe.Slice;

/**
 * A benchmark run's time split the way the peers report theirs: the ranks' join (broker start to
 * the first shard starting) apart from the in-pool time (first shard starting to the last commit),
 * so JVM startup and joining are not counted in the throughput. Needs the run's timeline.
 *
 * @param joinSeconds   broker start until the first attempt started on a worker
 * @param inPoolSeconds from then until the last commit
 */
record PoolTiming(double joinSeconds, double inPoolSeconds) {

    static PoolTiming of(RunResult result) {
        long firstStartNanos = Long.MAX_VALUE;
        for (Slice e : result.timeline().slices()) {
            firstStartNanos = Math.min(firstStartNanos, e.startNanos());
        }
        double join = firstStartNanos == Long.MAX_VALUE ? 0 : firstStartNanos / 1e9;
        return new PoolTiming(join, Math.max(1e-9, result.summary().makespanSeconds() - join));
    }
}
