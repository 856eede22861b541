package io.shatter.slurm;

import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the excess workers' capacity polling asks of slurmctld, and how it backs off when slurmctld is slow. */
class CapacityPollingTest {
    @TempDir
    Path dir;

    /**
     * Against the real local Slurm, through wrappers that record each command line before running the real
     * command: one sample of the excess partition is one sinfo and one squeue, both restricted to it.
     */
    @Test
    void aMonitorOfTheExcessPartitionAsksSlurmAboutThatPartitionOnly() throws IOException {
        LocalSlurm.require();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path log = dir.resolve("commands.log");
        for (String command : List.of("sinfo", "squeue")) {
            Path wrapper = bin.resolve(command);
            Files.writeString(wrapper, "#!/bin/sh\necho \"" + command + " $*\" >> '" + log + "'\nexec /usr/bin/" + command + " \"$@\"\n");
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        }
        CapacityMonitor monitor = new CapacityMonitor(dir.resolve("history.csv"), Set.of("excess"),
                new SlurmCommands(bin, Map.of(), Duration.ofSeconds(30)), CapacityMonitor.Mode.AUTO, Clock.systemUTC());
        List<CapacitySample> samples = monitor.sampleNow();
        assertEquals(null, monitor.problem());
        assertEquals(List.of("excess"), samples.stream().map(CapacitySample::partition).toList(), samples.toString());
        assertTrue(samples.get(0).totalCores() > 0, samples.toString());
        List<String> commands = Files.readAllLines(log);
        assertEquals(List.of("sinfo -p excess -h -o %R %C", "squeue -p excess -h -t PENDING -o %P %C"), commands);
    }

    @Test
    void slowPollsDoubleTheWaitUpToEightIntervalsAndAFastOneResetsIt() {
        Duration interval = Duration.ofSeconds(10);
        Duration wait = interval;
        List<Long> waits = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wait = ExcessWorkerManager.nextDelay(interval, wait, true);
            waits.add(wait.toSeconds());
        }
        assertEquals(List.of(20L, 40L, 80L, 80L, 80L), waits);
        assertEquals(interval, ExcessWorkerManager.nextDelay(interval, wait, false));
    }
}
