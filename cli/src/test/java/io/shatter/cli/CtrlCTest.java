package io.shatter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C for real: SIGINT to a running {@code shatter run heat} JVM stops it with exit code 130,
 * the summary so far and the command that resumes it; that command then says at its start how
 * much it restored, and finishes with the verified result.
 */
class CtrlCTest {
    @TempDir
    Path dir;

    @Test
    void sigintStopsCleanlyAndTheSameCommandResumes() throws Exception {
        Path runDir = dir.resolve("run");
        List<String> args = List.of("run", "heat", "--grid", "256", "--steps", "30", "--sweeps", "400", "--ranks", "2",
                "--run-dir", runDir.toString(), "--verify", "--no-progress", "--summary-json", dir.resolve("s.json").toString());
        // A background child inherits an ignored SIGINT from a non-interactive shell; env puts the default back.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(ResumeAfterKillTest.command(args.toArray(new String[0])));
        Path firstLog = dir.resolve("first.log");
        Process first = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(firstLog.toFile()).start();
        ResumeAfterKillTest killTest = new ResumeAfterKillTest();
        killTest.dir = dir;
        killTest.waitForCommits(first, runDir.resolve("journal.bin"), 40);
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(first.pid())).start().waitFor());
        assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the interrupted run did not stop");
        String log = Files.readString(firstLog);
        assertEquals(CtrlC.EXIT_CODE, first.exitValue(), log);
        assertTrue(log.contains("summary: "), log);
        assertTrue(log.contains("shards are committed and kept in the journal in " + runDir), log);
        assertTrue(log.contains("To resume, run the same command again:\n  shatter run heat --grid 256"), log);
        int committed = ResumeAfterKillTest.countCommits(runDir.resolve("journal.bin"));
        assertTrue(Files.readString(dir.resolve("s.json")).contains("\"shards_completed\" : " + committed), "summary so far");

        Process second = new ProcessBuilder(ResumeAfterKillTest.command(args.toArray(new String[0]))).redirectErrorStream(true)
                .redirectOutput(dir.resolve("second.log").toFile()).start();
        assertTrue(second.waitFor(120, TimeUnit.SECONDS), "the resumed run did not finish");
        String resumed = Files.readString(dir.resolve("second.log"));
        assertEquals(0, second.exitValue(), resumed);
        String firstLine = resumed.lines().findFirst().orElse("");
        assertEquals("shatter: resuming the unfinished run in " + runDir + ": " + committed + " of 511 shards restored from its journal",
                firstLine, resumed);
        assertTrue(resumed.contains("verified: plate equals the sequential computation"), resumed);
    }
}
