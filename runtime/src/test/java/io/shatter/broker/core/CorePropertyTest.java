package io.shatter.broker.core;

import io.shatter.RunSummary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Deterministic property test of the broker core: for each seed a random graph runs on simulated
 * ranks whose every choice (order of results, failures, preemptions, revocations and overrun
 * graces, kills, restores, late checkpoints, late results of given-up attempts) comes from that seed.
 * Every run must commit each shard exactly once, give a sequential evaluation's outputs, assign no
 * shard before its dependencies, hold no rank over its cores (times the depth it queues ahead: batches of
 * attempts per round, each fenced, revoked and preempted on its own), send well-formed batches (one rank each, no
 * attempt twice, at most {@link BatchSizing#MAX_PER_MESSAGE}), assign no attempt after its preemption or
 * cancellation, commit no stale attempt and end every attempt. A failing seed is printed and reruns alone:
 * {@code mvn -pl runtime test -Dtest=CorePropertyTest#oneSeed -Dshatter.seed=N}.
 */
class CorePropertyTest {
    private static final int SEEDS = Integer.getInteger("shatter.seeds", 2_000);

    @Test
    void everySeedKeepsEveryProperty() {
        long revocations = 0;
        long kills = 0;
        long zombies = 0;
        long late = 0;
        long preemptions = 0;
        long shadows = 0;
        long retries = 0;
        long restores = 0;
        long stale = 0;
        long batches = 0;
        long batchesDisturbed = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            SimulatedCluster sim = new SimulatedCluster(seed);
            try {
                sim.run();
            } catch (AssertionError | RuntimeException e) {
                fail("seed " + seed + " broke a property: " + e.getMessage() + "\n  rerun it alone: mvn -pl runtime test "
                        + "-Dtest=CorePropertyTest#oneSeed -Dshatter.seed=" + seed, e);
            }
            RunSummary s = sim.summary();
            revocations += sim.revocations;
            kills += sim.kills;
            zombies += sim.zombiesSent;
            late += sim.lateCheckpoints;
            preemptions += s.preemptions();
            shadows += s.shadowAttempts();
            retries += s.retries();
            restores += s.checkpointRestores();
            stale += s.staleResultsDropped();
            batches += sim.batches;
            batchesDisturbed += sim.batchesDisturbed;
        }
        // The mix really happened: otherwise passing would prove little.
        assertTrue(revocations > 0 && kills > 0 && zombies > 0 && late > 0, "faults: " + revocations + " revocations, "
                + kills + " kills, " + zombies + " late results of given-up attempts, " + late + " late checkpoints");
        // Automatic batching: ranks were sent several attempts per round, and faults reached ranks holding a batch.
        assertTrue(batches > 0 && batchesDisturbed > 0, batches + " rounds sent a rank a batch, " + batchesDisturbed
                + " revocations or preemptions reached a rank holding more attempts than cores");
        assertTrue(preemptions > 0 && shadows > 0 && retries > 0 && restores > 0 && stale > 0, preemptions + " preemptions, "
                + shadows + " shadows, " + retries + " retries, " + restores + " restores, " + stale + " stale results dropped");
    }

    /** Reruns one seed: {@code -Dshatter.seed=N}. */
    @Test
    void oneSeed() {
        String seed = System.getProperty("shatter.seed");
        assumeTrue(seed != null, "set -Dshatter.seed=N to rerun one seed");
        new SimulatedCluster(Long.parseLong(seed)).run();
    }
}
