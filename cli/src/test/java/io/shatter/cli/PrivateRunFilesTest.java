package io.shatter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a run leaves on disk is its user's alone, and a finished run leaves no checkpoints unless asked to. */
class PrivateRunFilesTest {
    @TempDir
    Path dir;

    private static List<Path> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void runDirectoryIs0700ItsFiles0600AndAFinishedRunsCheckpointsAreRemoved() throws IOException {
        Path runDir = dir.resolve("nested/run");
        CliRun r = CliRun.of("run", "heat", "--grid", "64", "--steps", "4", "--sweeps", "3000", "--ranks", "2", "--checkpoint-every", "1ms",
                "--run-dir", runDir.toString(), "--verify", "--no-progress", "--summary-json", dir.resolve("s.json").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("rwx------", mode(dir.resolve("nested")), "missing parents are made private too");
        for (Path p : tree(runDir)) {
            assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode(p), p.toString());
        }
        assertTrue(Files.readString(dir.resolve("s.json")).matches("(?s).*\"checkpoints_saved\" ?: ?[1-9].*"), "it did save checkpoints");
        try (Stream<Path> left = Files.list(runDir.resolve("checkpoints"))) {
            assertEquals(List.of(), left.toList(), "a finished run's checkpoints are removed");
        }
    }

    @Test
    void keepCheckpointsKeepsThemAndTaskOutputsArePrivate() throws IOException {
        Path runDir = dir.resolve("run");
        CliRun r = CliRun.of("run", "heat", "--grid", "64", "--steps", "4", "--sweeps", "3000", "--ranks", "2", "--checkpoint-every", "1ms",
                "--run-dir", runDir.toString(), "--keep-checkpoints", "--no-progress");
        assertEquals(0, r.code(), r.out() + r.err());
        try (Stream<Path> kept = Files.list(runDir.resolve("checkpoints"))) {
            List<Path> files = kept.toList();
            assertTrue(!files.isEmpty(), "--keep-checkpoints keeps them");
            for (Path p : files) {
                assertEquals("rw-------", mode(p), p.toString());
            }
        }
        Path taskFile = dir.resolve("t.txt");
        Files.writeString(taskFile, "a : echo secret\n");
        Path tasksRun = dir.resolve("tasks-run");
        CliRun t = CliRun.of("run", "tasks", "--file", taskFile.toString(), "--ranks", "1", "--run-dir", tasksRun.toString(), "--no-progress");
        assertEquals(0, t.code(), t.out() + t.err());
        assertEquals("secret\n", Files.readString(tasksRun.resolve("tasks/a.out")));
        for (Path p : tree(tasksRun)) {
            assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode(p), p.toString());
        }
    }
}
