package io.shatter.simulator;

import io.shatter.RankLayout;
import io.shatter.broker.core.CoreSettings;

import java.util.OptionalInt;

/**
 * What a simulation models besides the graph and the work: the ranks, the network and the
 * checkpoint store, the run options a real run would have, and when to give up.
 *
 * @param layout               the worker ranks, their classes and cores
 * @param latencyNanos         one-way message latency between the broker and a rank
 * @param checkpointEveryNanos how often resumable shards save their state ({@code --checkpoint-every})
 * @param revokeEveryNanos     {@code --revoke-every}: revoke a random excess rank this often (0: never)
 * @param revokeGraceNanos     grace of a revocation
 * @param coresPerExcessRank   with a capacity trace: the idle cores one excess rank stands for
 * @param shadows              shadow attempts for CRITICAL shards
 * @param recordTrace          keep the timeline
 * @param storeBytesPerSecond  checkpoint store bandwidth
 * @param storeFileNanos       fixed cost of one checkpoint file (create, force, rename)
 * @param hostCpus             CPUs of one host shared by every rank's lanes, as local ranks share a machine (0: each
 *                             rank has its cores to itself); a fraction: what the runtime's own threads leave
 * @param seed                 the seed of every random choice
 * @param maxSimulatedNanos    a run not finished by then stops (capacity that never comes back, say)
 */
public record SimulationConfig(RankLayout layout, long latencyNanos, long checkpointEveryNanos, long revokeEveryNanos,
                               long revokeGraceNanos, OptionalInt coresPerExcessRank, boolean shadows, boolean recordTrace,
                               long storeBytesPerSecond, long storeFileNanos, double hostCpus, long seed, long maxSimulatedNanos) {
    public SimulationConfig {
        if (!(hostCpus >= 0) || latencyNanos < 0 || checkpointEveryNanos < 0 || revokeEveryNanos < 0 || revokeGraceNanos < 0 || storeFileNanos < 0) {
            throw new IllegalArgumentException("host CPUs, latency, checkpoint interval, revocation interval and grace must not be negative");
        }
        if (storeBytesPerSecond <= 0 || maxSimulatedNanos <= 0) {
            throw new IllegalArgumentException("the checkpoint bandwidth and the time limit must be positive");
        }
    }

    /**
     * The core's settings, as {@link CoreSettings#of} makes them from a real run's configuration:
     * outputs nobody will read are dropped, no excess worker jobs, ranks may come back when
     * revocations are injected or capacity is followed.
     */
    CoreSettings coreSettings() {
        return new CoreSettings(layout, checkpointEveryNanos, shadows, false, revokeGraceNanos, coresPerExcessRank,
                0, 1, revokeEveryNanos > 0 || coresPerExcessRank.isPresent());
    }
}
