package io.shatter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The workloads written as annotated sequential programs, {@code cholesky} and {@code heat-annotated}, end to end. */
class DecomposedWorkloadsTest {
    @TempDir
    Path dir;

    @Test
    void choleskyVerifiesUnderRevocations() throws Exception {
        Path summary = dir.resolve("s.json");
        CliRun o = CliRun.of("run", "cholesky", "--tiles", "10", "--tile-size", "32", "--ranks", "3", "--reserved", "1", "--excess", "2",
                "--revoke-every", "10ms", "--seed", "3", "--verify", "--no-progress", "--summary-json", summary.toString(),
                "--run-dir", dir.resolve("run").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("220 shards inferred"), o.out());
        assertTrue(o.out().contains("verified: L equals the sequential loop's bit for bit (10x10 tiles of 32)"), o.out());
        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        assertEquals(220, json.get("shards_completed").asInt());
    }

    @Test
    void annotatedHeatGivesTheHandBuiltPlate() {
        CliRun annotated = CliRun.of("run", "heat-annotated", "--grid", "96", "--tiles", "6", "--steps", "5", "--sweeps", "30",
                "--ranks", "3", "--reserved", "1", "--excess", "2", "--revoke-every", "10ms", "--verify", "--no-progress",
                "--run-dir", dir.resolve("a").toString());
        CliRun handBuilt = CliRun.of("run", "heat", "--grid", "96", "--tiles", "6", "--steps", "5", "--sweeps", "30", "--ranks", "2",
                "--no-progress", "--run-dir", dir.resolve("h").toString());
        assertEquals(0, annotated.code(), annotated.err());
        assertTrue(annotated.out().contains("verified: plate equals the sequential computation bit for bit"), annotated.out());
        String mean = handBuilt.out().lines().filter(l -> l.startsWith("heat:")).findFirst().orElseThrow().replaceFirst("^heat:", "");
        assertTrue(annotated.out().contains("heat-annotated:" + mean), annotated.out() + " vs " + mean);
    }

    @Test
    void badSizesAreUserErrors() {
        CliRun tiles = CliRun.of("run", "cholesky", "--tiles", "0", "--no-progress", "--run-dir", dir.resolve("r1").toString());
        assertEquals(2, tiles.code());
        assertTrue(tiles.err().contains("--tiles must be between 1 and 64, got 0"), tiles.err());
        assertFalse(tiles.err().contains("Exception"), tiles.err());
        CliRun grid = CliRun.of("run", "heat-annotated", "--grid", "100", "--tiles", "7", "--no-progress", "--run-dir", dir.resolve("r2").toString());
        assertEquals(2, grid.code());
        assertTrue(grid.err().contains("--grid 100 is not divisible by --tiles 7"), grid.err());
    }

    /** SIGKILL half-way through a Cholesky run with revocations; the same command resumes from the journal to the same bits. */
    @Test
    void killedCholeskyResumesFromTheJournal() throws Exception {
        Path runDir = dir.resolve("run");
        Path summary = dir.resolve("summary.json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "cholesky", "--tiles", "16", "--tile-size", "160", "--ranks", "3", "--reserved", "1", "--excess", "2",
                "--revoke-every", "50ms", "--seed", "5", "--run-dir", runDir.toString(), "--verify", "--no-progress",
                "--summary-json", summary.toString()));
        Process first = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (ResumeAfterKillTest.countCommits(runDir.resolve("journal.bin")) < 150) {
            if (!first.isAlive() || System.nanoTime() > deadline) {
                first.destroyForcibly();
                fail("the first run ended or stalled before 150 commits: " + Files.readString(dir.resolve("first.log")));
            }
            first.waitFor(10, TimeUnit.MILLISECONDS);
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        int committedAtKill = ResumeAfterKillTest.countCommits(runDir.resolve("journal.bin"));
        assertTrue(committedAtKill < 816, "killed before the end: " + committedAtKill);

        Process second = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("second.log").toFile()).start();
        if (!second.waitFor(180, TimeUnit.SECONDS)) {
            second.destroyForcibly();
            fail("the resumed run did not finish: " + Files.readString(dir.resolve("second.log")));
        }
        String log = Files.readString(dir.resolve("second.log"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains("verified: L equals the sequential loop's bit for bit (16x16 tiles of 160)"), log);
        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        assertEquals(committedAtKill, json.get("resumed_from_journal").asInt(), json.toString());
        assertEquals(816, json.get("shards_completed").asInt());
    }
}
