package io.shatter;

import io.shatter.observe.RunTimeline;

import java.util.OptionalLong;
import java.util.function.IntFunction;

/**
 * What a run produced: each shard's committed output (exactly one per shard), the summary and the
 * timeline. On worker ranks of an MPI run, {@link #isBroker()} is false and there are no outputs.
 */
public final class RunResult {
    private final ShardGraph graph;
    private final IntFunction<byte[]> outputs;
    private final RunSummary summary;
    private final RunTimeline timeline;
    private final OptionalLong firstAttemptStartNanos;

    RunResult(ShardGraph graph, IntFunction<byte[]> outputs, RunSummary summary, RunTimeline timeline,
              OptionalLong firstAttemptStartNanos) {
        this.graph = graph;
        this.outputs = outputs;
        this.summary = summary;
        this.timeline = timeline;
        this.firstAttemptStartNanos = firstAttemptStartNanos;
    }

    /** Whether this process ran the broker (and so holds the results). */
    public boolean isBroker() {
        return summary != null;
    }

    /** The committed output of {@code shard}, decoded. */
    public <T> T get(Shard<T> shard) {
        if (!isBroker()) {
            throw new IllegalStateException("results live on rank 0 (the broker); this is a worker rank");
        }
        if (shard.index() >= graph.size() || !graph.shards().get(shard.index()).id().equals(shard.id())) {
            throw new IllegalArgumentException(shard + " is not a shard of graph '" + graph.name() + "'");
        }
        byte[] bytes = outputs.apply(shard.index());
        if (bytes == null) {
            throw new IllegalStateException("the output of " + shard + " was dropped once its consumers had read it; "
                    + "keep it with RunConfig.Builder.retainIntermediateOutputs(true)");
        }
        return shard.codec().decode(bytes);
    }

    /** The run's figures (null on worker ranks). */
    public RunSummary summary() {
        return summary;
    }

    /**
     * When the first attempt started on a worker, in nanoseconds from the run's start (worker clocks
     * mapped to the broker's); recorded with or without a timeline. Empty on worker ranks.
     */
    public OptionalLong firstAttemptStartNanos() {
        return firstAttemptStartNanos;
    }

    /** The timeline ({@link RunTimeline#EMPTY} unless {@link RunConfig.Builder#recordTrace(boolean)} was on; empty on worker ranks). */
    public RunTimeline timeline() {
        return timeline;
    }
}
