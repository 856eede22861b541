package io.shatter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The resumable broker for real: a {@code shatter run heat} JVM is killed with SIGKILL half-way
 * through, the same command is run again, and it finishes with the verified result without
 * recomputing the shards the first JVM committed.
 */
class ResumeAfterKillTest {
    /** Commits the first JVM must have journaled before it is killed. */
    private static final int COMMITS_BEFORE_KILL = 40;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);

    @TempDir
    Path dir;

    @Test
    void killedHeatRunResumesFromTheJournalWithTheSameResult() throws Exception {
        Path runDir = dir.resolve("run");
        Path summary = dir.resolve("summary.json");
        // About 500 shards and several seconds on two cores: long enough to be killed half-way.
        List<String> command = command("run", "heat", "--grid", "256", "--steps", "30", "--sweeps", "400", "--ranks", "2",
                "--run-dir", runDir.toString(), "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--checkpoint-every", "50ms", "--verify", "--no-progress", "--summary-json", summary.toString());

        Process first = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("first.log").toFile()).start();
        int journaled = waitForCommits(first, runDir.resolve("journal.bin"), COMMITS_BEFORE_KILL);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye
        assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the killed JVM did not exit");
        assertTrue(first.exitValue() != 0, "the first run was killed, not finished");
        int committedAtKill = countCommits(runDir.resolve("journal.bin"));
        assertTrue(committedAtKill >= journaled, committedAtKill + " < " + journaled);

        Process second = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("second.log").toFile()).start();
        if (!second.waitFor(DEADLINE_NANOS, TimeUnit.NANOSECONDS)) {
            second.destroyForcibly();
            fail("the resumed run did not finish in time: " + Files.readString(dir.resolve("second.log")));
        }
        String log = Files.readString(dir.resolve("second.log"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains("verified: plate equals the sequential computation"), log);
        assertTrue(log.contains("resumed from the journal"), log);

        JsonNode json = new ObjectMapper().readTree(summary.toFile());
        long total = json.get("shards_total").asLong();
        long resumed = json.get("resumed_from_journal").asLong();
        long attempts = json.get("attempts").asLong();
        assertEquals(committedAtKill, resumed, "every commit the killed JVM journaled is restored: " + json);
        assertEquals(total, json.get("shards_completed").asLong());
        // Nothing was revoked or preempted, so one attempt per shard that still had to run, and none for the restored ones.
        assertEquals(total - resumed, attempts, "restored shards must not run again: " + json);
        assertTrue(json.get("checkpoint_restores").asLong() >= 0);
        // A kill can tear the record being written, and only that one: nothing else of the journal is dropped.
        assertTrue(json.get("journal_records_dropped").asLong() <= 1, "at most a torn last record: " + json);
    }

    static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Polls the journal until it holds {@code wanted} commits; fails if the process ends first or time runs out. */
    int waitForCommits(Process process, Path journal, int wanted) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            int commits = countCommits(journal);
            if (commits >= wanted) {
                return commits;
            }
            if (!process.isAlive()) {
                fail("the first run ended (exit " + process.exitValue() + ") before " + wanted + " commits were journaled: "
                        + Files.readString(dir.resolve("first.log")));
            }
            if (process.waitFor(10, TimeUnit.MILLISECONDS)) {
                continue; // it ended: reported above on the next pass
            }
        }
        process.destroyForcibly();
        fail("no " + wanted + " commits in the journal within " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NANOS) + " s");
        return 0;
    }

    /**
     * Shard-commit records in the journal, read independently of the runtime's reader (which locks
     * the file): the 8-byte magic, a 4-byte version, then frames of {@code [length][crc of length][crc][payload]},
     * the first of them the header; a commit's payload starts with type 1. A torn frame ends the count.
     */
    static int countCommits(Path journal) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(journal);
        } catch (NoSuchFileException e) {
            return 0;
        }
        int commits = 0;
        try (InputStream raw = new java.io.ByteArrayInputStream(bytes); DataInputStream in = new DataInputStream(raw)) {
            in.skipNBytes(12);
            boolean header = true;
            while (in.available() >= 12) {
                int length = in.readInt();
                in.readInt(); // the length's checksum
                in.readInt(); // the payload's checksum
                if (length < 0 || length > in.available()) {
                    break;
                }
                byte[] payload = in.readNBytes(length);
                if (!header && length > 0 && payload[0] == 1) {
                    commits++;
                }
                header = false;
            }
        } catch (java.io.EOFException e) {
            return commits;
        }
        return commits;
    }
}
