package io.shatter.cli.workloads;

import io.shatter.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Task processes die with their attempt and with their worker, and a resume kills what an earlier
 * incarnation left. Processes are found by a marker in their command line, through /proc.
 */
class TaskProcessTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    /** Pids of live processes whose command line holds {@code marker}. */
    private static List<Long> withMarker(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    private static void awaitGone(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!withMarker(marker).isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("still running after 30 s: " + withMarker(marker));
            }
            Thread.sleep(20); // polling /proc: there is no event for another process's death
        }
    }

    private static void awaitRunning(String marker, int count) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (withMarker(marker).size() < count) {
            if (System.nanoTime() > deadline) {
                fail(count + " processes with " + marker + " never ran: " + withMarker(marker));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void theTasksBackgroundChildrenDieWhenItsAttemptEndsAndItsStatusIsKept() throws Exception {
        String marker = "31337.1";
        TaskProcess p = TaskProcess.start("t1", "sleep " + marker + " & echo started; exit 3", dir.resolve("t1.out"),
                dir.resolve("t1.err"), dir);
        assertEquals(Optional.of(3), p.await(() -> false), "the command's own exit status");
        assertEquals("started\n", Files.readString(dir.resolve("t1.out")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("t1.out"))));
        awaitGone(marker); // the background sleep was killed with the attempt (SIGKILL is delivered asynchronously)
        assertFalse(Files.exists(dir.resolve("t1.pgid")), "the record goes with the group");
    }

    @Test
    void aCancelledAttemptKillsItsWholeGroup() throws Exception {
        String marker = "31337.2";
        TaskProcess p = TaskProcess.start("t2", "sleep " + marker + " & sleep " + marker + "; true", dir.resolve("t2.out"),
                dir.resolve("t2.err"), dir);
        awaitRunning(marker, 2);
        assertTrue(Files.exists(dir.resolve("t2.pgid")), "the running group is recorded");
        BooleanSupplier cancelled = () -> true;
        assertEquals(Optional.empty(), p.await(cancelled));
        awaitGone(marker); // both sleeps were killed
    }

    /** The orphans: a SIGKILLed `shatter run tasks` JVM takes its task shells and their children with it. */
    @Test
    void tasksDieWhenTheirWorkerJvmIsKilled() throws Exception {
        String marker = "31337.3";
        Path file = dir.resolve("tasks.txt");
        Files.writeString(file, "a : sleep " + marker + "\nb : sleep " + marker + " & sleep " + marker + "; true\n", StandardCharsets.UTF_8);
        Process run = new ProcessBuilder(command("run", "tasks", "--file", file.toString(), "--ranks", "2", "--run-dir",
                dir.resolve("run").toString(), "--no-progress")).redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();
        awaitRunning(marker, 3);
        run.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        awaitGone(marker);
    }

    @Test
    void aResumeKillsTheGroupsAnEarlierIncarnationLeftButNotALiveWorkersOnes() throws Exception {
        String marker = "31337.4";
        // A group whose supervisor was SIGKILLed with its JVM (so the parent-death signal never reached it):
        // made here with setsid, recorded as owned by a process that is gone.
        Process orphan = new ProcessBuilder("setsid", "sleep", marker).start();
        long pgid = orphan.pid();
        long start = TaskProcess.ProcessIdentity.of(pgid).orElseThrow().startTicks();
        Files.writeString(dir.resolve("x.pgid"), pgid + " " + start + " 999999999 1\n");
        // A live worker's group: this JVM owns it.
        Process live = new ProcessBuilder("setsid", "sleep", marker + "1").start();
        TaskProcess.ProcessIdentity self = TaskProcess.ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        Files.writeString(dir.resolve("y.pgid"), live.pid() + " " + TaskProcess.ProcessIdentity.of(live.pid()).orElseThrow().startTicks()
                + " " + self.pid() + " " + self.startTicks() + "\n");

        assertEquals(1, TaskProcess.killLeftovers(dir));
        assertTrue(orphan.waitFor(30, TimeUnit.SECONDS), "the leftover was killed");
        assertFalse(Files.exists(dir.resolve("x.pgid")));
        assertTrue(live.isAlive(), "a live worker's task is left alone");
        assertTrue(Files.exists(dir.resolve("y.pgid")));
        live.destroyForcibly();
    }

    private static List<String> command(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return command;
    }
}
