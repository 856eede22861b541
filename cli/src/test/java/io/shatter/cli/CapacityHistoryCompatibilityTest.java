package io.shatter.cli;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacityHistoryReader;
import io.shatter.predictor.CapacitySeries;
import io.shatter.slurm.CapacityMonitor;
import io.shatter.slurm.LocalSlurmStarter;
import io.shatter.slurm.SlurmCommands;
import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the Slurm capacity monitor writes is exactly what the predictor reads (the two modules do not know each other). */
class CapacityHistoryCompatibilityTest {
    @TempDir
    Path dir;

    @Test
    void predictorReadsTheMonitorsHistory() {
        String whyNot = LocalSlurmStarter.ensureRunning();
        if (whyNot != null) {
            if ("1".equals(System.getenv("SHATTER_REQUIRE_SLURM"))) {
                Assertions.fail("SHATTER_REQUIRE_SLURM=1 but the local Slurm is not available: " + whyNot);
            }
            Assumptions.abort("the local Slurm is not available (" + whyNot + ")");
        }
        Path file = dir.resolve(CapacityMonitor.FILE_NAME);
        CapacityMonitor monitor = new CapacityMonitor(file, Set.of(), new SlurmCommands(), CapacityMonitor.Mode.AUTO, Clock.systemUTC());
        List<CapacitySample> first = monitor.sampleNow();
        monitor.sampleNow();
        CapacitySample excess = first.stream().filter(s -> s.partition().equals("excess")).findFirst().orElseThrow();
        CapacitySeries series = CapacityHistoryReader.read(file, "excess", 1, ZoneOffset.UTC, BadLinePolicy.STOP);
        assertEquals("excess", series.partition());
        assertEquals(excess.totalCores(), series.totalCores());
        assertEquals(excess.epochSeconds(), series.startEpochSeconds());
        assertEquals(excess.idleCores(), series.sampleAt(0).idleCores());
    }
}
