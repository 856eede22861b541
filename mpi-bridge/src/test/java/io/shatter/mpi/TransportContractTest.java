package io.shatter.mpi;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The contract every {@link io.shatter.transport.Transport} passes: local ranks, Open MPI and MPJ
 * Express. Subclasses only say how to run one scenario of {@link TransportScenarios} on every rank.
 */
abstract class TransportContractTest {

    /** What each rank said, and everything that was printed (for failure messages). */
    record Verdicts(Map<Integer, String> byRank, String log) {
    }

    /** Runs {@code scenario} on {@code ranks} ranks (broker included) and collects the verdicts. */
    protected abstract Verdicts runScenario(String scenario, int ranks) throws Exception;

    @Test
    void framesFromOneSourceArriveInTheOrderSent() throws Exception {
        assertOk(runScenario("ordering", 4), 0, 1, 2, 3);
    }

    @Test
    void manySmallFramesArriveIntact() throws Exception {
        assertOk(runScenario("many-small", 3), 0, 1, 2);
    }

    @Test
    void framesLargerThan64MiBCrossBothWaysAtOnce() throws Exception {
        assertOk(runScenario("large", 3), 0, 1, 2);
    }

    @Test
    void closeDeliversWhatWasSentBeforeAndReturnsPromptly() throws Exception {
        assertOk(runScenario("shutdown", 3), 0, 1, 2);
    }

    @Test
    void survivorsAreToldWhenAPeerDies() throws Exception {
        Verdicts v = runScenario("dead-peer", 3);
        assertOk(v, 0, 1);
        assertTrue(v.byRank().get(0).contains("rank 2"), "the notice names the dead rank: " + v.byRank().get(0));
    }

    static void assertOk(Verdicts v, int... ranks) {
        for (int r : ranks) {
            String verdict = v.byRank().get(r);
            if (verdict == null || !verdict.startsWith("OK")) {
                fail("rank " + r + ": " + (verdict == null ? "no verdict" : verdict) + "\n--- output ---\n" + v.log());
            }
        }
    }
}
