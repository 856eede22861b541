package io.shatter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulateCommandTest {
    @TempDir
    Path dir;

    /** A 100-core machine's log, 3 days of jobs that keep its idle cores moving. */
    private Path swf() throws IOException {
        StringBuilder log = new StringBuilder("; MaxProcs: 100\n");
        for (int k = 0; k < 300; k++) {
            int procs = (k * 37) % 100 + 1;
            int run = 1800 + (k % 5) * 600;
            log.append(String.format("%d %d 0 %d %d -1 -1 %d %d -1 1 1 1 -1 1 -1 -1 -1%n", k + 1, k * 900, run, procs, procs, run * 2));
        }
        Path file = dir.resolve("machine.swf");
        Files.writeString(file, log);
        return file;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> summary(Path file) throws IOException {
        Map<String, Object> json = new ObjectMapper().readValue(file.toFile(), Map.class);
        json.remove("broker_ns_per_shard");
        if (json.get("simulation") != null) {
            ((Map<String, Object>) json.get("simulation")).keySet().removeAll(SimulateReports.WALL_CLOCK_FIELDS);
        }
        return json;
    }

    private CliRun simulate(long seed, Path json) throws IOException {
        return CliRun.of("simulate", "layered", "--shards", "3000", "--layers", "10", "--resumable", "--ranks", "40", "--reserved", "10",
                "--excess-trace", swf().toString(), "--trace-start", "0.5", "--duration", "5m", "--spread", "0.8",
                "--checkpoint-every", "1m", "--revoke-every", "20m", "--fail-probability", "0.01", "--seed", String.valueOf(seed),
                "--no-progress", "--summary-json", json.toString());
    }

    @Test
    void theSameSeedGivesTheSameSummaryByteForByte() throws IOException {
        CliRun a = simulate(3, dir.resolve("a.json"));
        CliRun b = simulate(3, dir.resolve("b.json"));
        CliRun c = simulate(4, dir.resolve("c.json"));
        assertEquals(0, a.code(), a.err());
        String line = a.out().lines().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow();
        assertTrue(line.startsWith("summary: 3000/3000 shards in "), a.out());
        assertEquals(line, b.out().lines().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow());
        Map<String, Object> first = summary(dir.resolve("a.json"));
        assertEquals(first, summary(dir.resolve("b.json")));
        assertNotEquals(first, summary(dir.resolve("c.json")));
        // The run saw what the options ask for: capacity from the log, revocations, checkpoints, retries.
        assertTrue(((Number) first.get("capacity_samples")).longValue() > 0, first.toString());
        assertTrue(((Number) first.get("revocations")).longValue() > 0, first.toString());
        assertTrue(((Number) first.get("checkpoint_restores")).longValue() > 0, first.toString());
        assertTrue(((Number) first.get("retries")).longValue() > 0, first.toString());
        assertTrue(((Number) ((Map<?, ?>) first.get("simulation")).get("events")).longValue() > 3000, first.toString());
    }

    @Test
    void aBuiltInGraphIsBuiltByItsOwnCommandFromItsOwnOptions() {
        CliRun r = CliRun.of("simulate", "heat", "--steps", "3", "--ranks", "4", "--excess", "2", "--revoke-every", "50ms",
                "--duration", "8ms", "--no-progress");
        assertEquals(0, r.code(), r.err());
        // 16 tiles x 3 steps, 3 energy diagnostics, the plate.
        assertTrue(r.out().contains("summary: 52/52 shards"), r.out());
    }

    /**
     * Fidelity where the schedule is deterministic (reserved ranks, no revocations): a real local
     * run and its simulation commit the same shards in the same number of attempts. Makespans are
     * compared in simulator/README.md, on a measured machine, not here: a test machine's load decides them.
     */
    @Test
    void aSimulationAttemptsWhatARealRunAttemptsWhenTheScheduleIsDeterministic() throws IOException {
        CliRun real = CliRun.of("run", "heat", "--steps", "3", "--ranks", "2", "--reserved", "2", "--no-progress",
                "--run-dir", dir.resolve("run").toString(), "--summary-json", dir.resolve("real.json").toString());
        CliRun sim = CliRun.of("simulate", "heat", "--steps", "3", "--ranks", "2", "--reserved", "2", "--no-progress",
                "--summary-json", dir.resolve("sim.json").toString());
        assertEquals(0, real.code(), real.err());
        assertEquals(0, sim.code(), sim.err());
        Map<String, Object> r = summary(dir.resolve("real.json"));
        Map<String, Object> s = summary(dir.resolve("sim.json"));
        for (String field : new String[] {"shards_total", "shards_completed", "attempts", "revocations", "lost_attempts", "retries"}) {
            assertEquals(r.get(field), s.get(field), field);
        }
    }

    @Test
    void badInputNamesTheCulpritWithExitCode2AndNoStackTrace() {
        CliRun missing = CliRun.of("simulate", "farm", "--ranks", "4", "--reserved", "2", "--excess-trace",
                dir.resolve("nowhere.swf").toString(), "--no-progress");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nowhere.swf"), missing.err());
        CliRun noExcess = CliRun.of("simulate", "farm", "--ranks", "4", "--excess-trace", dir.resolve("x.swf").toString());
        assertEquals(2, noExcess.code());
        assertTrue(noExcess.err().contains("--excess-trace acts on excess ranks"), noExcess.err());
        CliRun unknown = CliRun.of("simulate", "heat", "--stepz", "3");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--stepz"), unknown.err());
        for (CliRun r : new CliRun[] {missing, noExcess, unknown}) {
            assertFalse(r.err().contains("\tat "), r.err());
        }
    }
}
