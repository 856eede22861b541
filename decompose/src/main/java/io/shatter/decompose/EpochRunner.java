package io.shatter.decompose;

import io.shatter.RunResult;
import io.shatter.ShardGraph;

/**
 * Runs one part (epoch) of a growing graph: the calls recorded since the program last waited for a
 * value. Usually {@code (graph, epoch) -> Shatter.run(graph, config.runDirectory(dir.resolve("epoch-" + epoch)))};
 * the configuration must keep intermediate outputs ({@code retainIntermediateOutputs(true)}),
 * because the recorder reads every data's newest version from the result.
 */
@FunctionalInterface
public interface EpochRunner {
    RunResult run(ShardGraph graph, int epoch);
}
