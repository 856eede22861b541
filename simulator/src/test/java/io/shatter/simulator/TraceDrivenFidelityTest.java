package io.shatter.simulator;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Traces;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fidelity on the trace-driven excess run: real local runs whose excess ranks follow the KTH log
 * (plain shards that sleep, so a busy machine changes little) and their simulations agree on
 * shards, and on makespan and lost work within 20% over three starts of the held-out part.
 */
class TraceDrivenFidelityTest {
    private static final String LOG = "KTH-SP2-1996-2.1-cln.swf";

    /** The shared workload logs beside the checkout (CI puts ../shared there; scripts/test.sh requires them). */
    static Optional<Path> sharedLog(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path log = dir.resolve("shared").resolve("traces").resolve(name);
            if (Files.isRegularFile(log)) {
                return Optional.of(log);
            }
        }
        if ("1".equals(System.getenv("SHATTER_REQUIRE_SHARED_TRACES"))) {
            fail("the shared workload log " + name + " is not in any ../shared/traces above " + Path.of("").toAbsolutePath());
        }
        return Optional.empty();
    }

    @Test
    void realAndSimulatedTraceDrivenRunsAgreeWithinTwentyPercent() {
        Optional<Path> log = sharedLog(LOG);
        assumeTrue(log.isPresent(), "the shared workload logs are not beside the checkout");
        CapacitySeries series = Traces.load(log.get(), Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
        List<TraceDrivenFidelity.Row> rows = TraceDrivenFidelity.compare(series, 3, 48, 40, row -> { });
        double realMakespan = 0;
        double simMakespan = 0;
        double realLost = 0;
        double simLost = 0;
        for (TraceDrivenFidelity.Row r : rows) {
            assertEquals(48, r.real().shardsCompleted());
            assertEquals(48, r.simulated().shardsCompleted());
            realMakespan += r.realMakespanHours();
            simMakespan += r.simulatedMakespanHours();
            realLost += r.realLostHours();
            simLost += r.simulatedLostHours();
        }
        assertTrue(realLost > 0, "the starts revoke running shards: " + rows);
        assertEquals(1.0, simMakespan / realMakespan, 0.2, "makespan, simulated / real: " + rows);
        assertEquals(1.0, simLost / realLost, 0.2, "lost work, simulated / real: " + rows);
    }
}
