package io.shatter.slurm;

import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CapacityMonitorTest {
    @TempDir
    Path dir;
    private final List<String> jobs = new ArrayList<>();

    @AfterEach
    void cancelJobs() {
        LocalSlurm.cancel(jobs);
    }

    private CapacityMonitor monitor(Path file, CapacityMonitor.Mode mode) {
        return new CapacityMonitor(file, Set.of("reserved", "excess"), new SlurmCommands(), mode, Clock.systemUTC());
    }

    private static CapacitySample of(List<CapacitySample> samples, String partition) {
        return samples.stream().filter(s -> s.partition().equals(partition)).findFirst().orElseThrow();
    }

    @Test
    void jsonAndFormatStringsSeeTheSameRunningAndPendingJobs() throws IOException {
        LocalSlurm.require();
        CapacityMonitor json = monitor(dir.resolve("json.csv"), CapacityMonitor.Mode.JSON);
        CapacityMonitor format = monitor(dir.resolve("format.csv"), CapacityMonitor.Mode.FORMAT);
        List<CapacitySample> before = json.sampleNow();
        assertEquals(2, before.size(), "one sample per partition: " + before);

        // Independent of the monitor: 3 CPUs taken by a running job, 5 asked for by a held (pending) one.
        String running = LocalSlurm.run("sbatch", "--parsable", "-p", "reserved", "-n", "3", "-o", "/dev/null", "--wrap", "sleep 120");
        jobs.add(running);
        LocalSlurm.await("job " + running + " to run", Duration.ofSeconds(30), () -> LocalSlurm.state(running).equals("RUNNING"));
        jobs.add(LocalSlurm.run("sbatch", "--parsable", "--hold", "-p", "reserved", "-n", "5", "-o", "/dev/null", "--wrap", "true"));

        List<CapacitySample> fromJson = json.sampleNow();
        List<CapacitySample> fromFormat = format.sampleNow();
        assertEquals(null, json.problem());
        for (String p : List.of("reserved", "excess")) {
            CapacitySample b = of(before, p);
            CapacitySample a = of(fromJson, p);
            assertEquals(b.totalCores(), a.totalCores(), p);
            // Both partitions share the one node, so the running job takes idle cores from both.
            assertEquals(b.idleCores() - 3, a.idleCores(), p);
            assertEquals(b.pendingCores() + (p.equals("reserved") ? 5 : 0), a.pendingCores(), p);
            CapacitySample f = of(fromFormat, p);
            assertEquals(List.of(a.totalCores(), a.idleCores(), a.pendingCores()),
                    List.of(f.totalCores(), f.idleCores(), f.pendingCores()), "format strings agree with --json for " + p);
        }

        List<String> lines = Files.readAllLines(dir.resolve("json.csv"));
        assertEquals(CapacityMonitor.HEADER, lines.get(0));
        assertEquals(5, lines.size(), "header and two samples of two partitions: " + lines);
        CapacitySample last = of(fromJson, "reserved");
        assertTrue(lines.contains(last.epochSeconds() + ",reserved," + last.totalCores() + "," + last.idleCores() + ","
                + last.pendingCores()), lines.toString());
        assertEquals(4, json.poll().size(), "poll hands over both samples");
        assertTrue(json.poll().isEmpty(), "nothing new");
    }

    @Test
    void backgroundSamplingAppendsToAnExistingHistory() {
        LocalSlurm.require();
        Path file = dir.resolve(CapacityMonitor.FILE_NAME);
        try (CapacityMonitor m = monitor(file, CapacityMonitor.Mode.AUTO)) {
            m.sampleNow();
        }
        try (CapacityMonitor m = monitor(file, CapacityMonitor.Mode.AUTO)) {
            m.start(Duration.ofMillis(200));
            List<CapacitySample> seen = new ArrayList<>();
            LocalSlurm.await("two background samples", Duration.ofSeconds(20), () -> {
                seen.addAll(m.poll());
                return seen.size() >= 4;
            });
        }
        List<String> lines = assertDoesNotThrowRead(file);
        assertEquals(1, lines.stream().filter(CapacityMonitor.HEADER::equals).count(), "one header: " + lines);
        assertTrue(lines.size() >= 7, lines.toString());
    }

    @Test
    void missingSlurmCommandsGiveAClearProblemAndNoSamples() {
        CapacityMonitor m = new CapacityMonitor(dir.resolve("h.csv"), Set.of(),
                new SlurmCommands(dir.resolve("no-slurm-here"), Map.of(), Duration.ofSeconds(5)), CapacityMonitor.Mode.AUTO,
                Clock.systemUTC());
        assertTrue(m.sampleNow().isEmpty());
        assertTrue(m.poll().isEmpty());
        assertTrue(m.problem().contains("'sinfo' cannot be run") && m.problem().contains("slurm-client"), m.problem());
        assertFalse(Files.exists(dir.resolve("h.csv")), "nothing recorded");
    }

    @Test
    void controllerDownGivesAClearProblemAndNoSamples() throws IOException {
        LocalSlurm.require();
        // The real configuration with the controller's port changed: exactly what a dead slurmctld looks like.
        Path conf = dir.resolve("slurm.conf");
        String real = Files.readString(Path.of(System.getenv().getOrDefault("SLURM_CONF", "/etc/slurm/slurm.conf")));
        Files.writeString(conf, real.replaceAll("(?m)^SlurmctldPort=.*$", "SlurmctldPort=6999")
                + (real.contains("SlurmctldPort=") ? "" : "\nSlurmctldPort=6999\n"));
        for (CapacityMonitor.Mode mode : List.of(CapacityMonitor.Mode.JSON, CapacityMonitor.Mode.FORMAT)) {
            CapacityMonitor m = new CapacityMonitor(dir.resolve(mode + ".csv"), Set.of(),
                    new SlurmCommands(null, Map.of("SLURM_CONF", conf.toString()), Duration.ofSeconds(30)), mode, Clock.systemUTC());
            assertTrue(m.sampleNow().isEmpty(), mode.toString());
            assertTrue(m.problem().contains("slurmctld is probably not running"), m.problem());
            assertFalse(Files.exists(dir.resolve(mode + ".csv")));
        }
    }

    @Test
    void refusesToAppendToAFileThatIsNotACapacityHistory() throws IOException {
        Path file = dir.resolve("notes.csv");
        Files.writeString(file, "my,own,data\n1,2,3\n");
        SlurmException e = assertThrows(SlurmException.class, () -> monitor(file, CapacityMonitor.Mode.AUTO));
        assertTrue(e.getMessage().contains("is not a capacity history"), e.getMessage());
        assertEquals("my,own,data\n1,2,3\n", Files.readString(file), "left as it was");
    }

    private static List<String> assertDoesNotThrowRead(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
