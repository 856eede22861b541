package io.shatter.broker.core;

import io.shatter.RankLayout;
import io.shatter.RunConfig;

import java.util.OptionalInt;

/**
 * The parts of a run's configuration that decide scheduling, as plain values.
 *
 * @param layout                    the worker ranks and their classes
 * @param checkpointEveryNanos      how often resumable shards save their state
 * @param shadows                   whether CRITICAL shards get shadow attempts
 * @param retainIntermediateOutputs keep every output (else dropped once all consumers committed)
 * @param revokeGraceNanos          grace of revocations the core decides (capacity following)
 * @param coresPerExcessRank        with a capacity feed: idle partition cores one excess rank stands for,
 *                                  and the core revokes and restores excess ranks to follow the samples
 * @param excessWorkerSlots         with excess workers (batch jobs that join): how many at most
 * @param coresPerExcessWorker      cores each excess worker job asks for
 * @param ranksMayBeRestored        revoked ranks come back (fault injection or a capacity feed restores them),
 *                                  so every rank gone at once does not end the run
 */
public record CoreSettings(RankLayout layout, long checkpointEveryNanos, boolean shadows, boolean retainIntermediateOutputs,
                           long revokeGraceNanos, OptionalInt coresPerExcessRank,
                           int excessWorkerSlots, int coresPerExcessWorker, boolean ranksMayBeRestored) {

    /** The settings of {@code config}. */
    public static CoreSettings of(RunConfig config) {
        return new CoreSettings(config.layout(), config.checkpointEveryNanos(), config.shadows(),
                config.retainIntermediateOutputs(), config.revokeGraceNanos(),
                config.excessCapacityFeed() == null ? OptionalInt.empty()
                        : OptionalInt.of(config.excessCapacityFeed().coresPerExcessRank()),
                config.excessWorkers() == null ? 0 : config.excessWorkers().maxWorkers(),
                config.excessWorkers() == null ? 1 : config.excessWorkers().coresEach(),
                config.revokeEveryNanos() > 0 || config.excessCapacityFeed() != null);
    }
}
