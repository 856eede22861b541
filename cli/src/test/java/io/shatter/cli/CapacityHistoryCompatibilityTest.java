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
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the Slurm capacity monitor writes is exactly what the predictor reads (the two modules do not know each other). */
class CapacityHistoryCompatibilityTest {
    @TempDir
    Path dir;

    private static void requireSlurm() {
        String whyNot = LocalSlurmStarter.ensureRunning();
        if (whyNot != null) {
            if ("1".equals(System.getenv("SHATTER_REQUIRE_SLURM"))) {
                Assertions.fail("SHATTER_REQUIRE_SLURM=1 but the local Slurm is not available: " + whyNot);
            }
            Assumptions.abort("the local Slurm is not available (" + whyNot + ")");
        }
    }

    /** A clock the test moves: the monitor stamps each sample with it. */
    private static final class SteppedClock extends Clock {
        private Instant now = Instant.parse("2026-01-05T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /**
     * {@code predictor train --trace RUN_DIR/capacity-history.csv} end to end on a history the local
     * Slurm's monitor recorded. A model needs days of samples, so each real sample of the excess
     * partition is stamped 4 hours after the one before (the clock is the test's): the history is
     * the local Slurm's own answers, on a compressed calendar.
     */
    @Test
    void trainsAndEvaluatesOnAHistoryTheLocalSlurmRecorded() throws java.io.IOException {
        requireSlurm();
        Path file = dir.resolve(CapacityMonitor.FILE_NAME);
        SteppedClock clock = new SteppedClock();
        CapacityMonitor monitor = new CapacityMonitor(file, Set.of("excess"), new SlurmCommands(), CapacityMonitor.Mode.AUTO, clock);
        int samples = 360; // the least that leaves a day of inputs plus training, validation and test periods at 4-hour steps
        for (int i = 0; i < samples; i++) {
            Assertions.assertFalse(monitor.sampleNow().isEmpty(), () -> "sinfo/squeue did not answer: " + monitor.problem());
            clock.now = clock.now.plus(java.time.Duration.ofHours(4));
        }
        Path model = dir.resolve("site.model");
        CliRun train = CliRun.of("predictor", "train", "--trace", file.toString(), "--partition", "excess", "--zone", "UTC",
                "--step", "240", "--horizons", "240", "--epochs", "1", "--hidden", "4", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        Assertions.assertTrue(train.out().contains("Trace " + CapacityMonitor.FILE_NAME + ": "), train.out());
        Assertions.assertTrue(train.out().contains("Survival odds calibrated on the validation period"), train.out());
        CliRun evaluate = CliRun.of("predictor", "evaluate", "--trace", file.toString(), "--partition", "excess", "--zone", "UTC",
                "--step", "240", "--model", model.toString());
        assertEquals(0, evaluate.code(), evaluate.err());
        Assertions.assertTrue(evaluate.out().contains("pooled model+online"), evaluate.out());
    }

    @Test
    void predictorReadsTheMonitorsHistory() {
        requireSlurm();
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
