package io.shatter.cli.workloads;

import io.shatter.files.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One task's command, run so that nothing it starts outlives its attempt or its worker:
 * <ul>
 * <li>in a process group of its own ({@code setsid}), led by a small bash supervisor that runs
 *     {@code /bin/sh -c COMMAND} and waits for it;</li>
 * <li>the supervisor gets SIGTERM when the thread that started it (the worker's lane) or its JVM
 *     dies ({@code setpriv --pdeathsig}, Linux's parent-death signal), and then kills its whole
 *     group, the task's own children included;</li>
 * <li>when the attempt ends (done, failed, cancelled) the group is killed, so a task's background
 *     processes do not run on after it;</li>
 * <li>while it runs, {@code ID.pgid} beside its outputs records the group, its leader's start time
 *     and the owning JVM, so the next incarnation of the run kills a group whose owner is gone
 *     ({@link #killLeftovers}), should anything of it still run (a SIGKILL of the supervisor itself).</li>
 * </ul>
 */
final class TaskProcess {
    private static final Logger LOG = LoggerFactory.getLogger(TaskProcess.class);
    private static final String RECORD_SUFFIX = ".pgid";
    /** Kills the group (itself too) on the parent-death signal; otherwise the task's exit status is its own. */
    private static final String SUPERVISOR = "trap 'kill -KILL 0' TERM; /bin/sh -c \"$1\" </dev/null & wait $!";
    private static final ProcessIdentity SELF = ProcessIdentity.of(ProcessHandle.current().pid()).orElse(null);

    private final Process process;
    private final long pgid;
    private final Path record;

    private TaskProcess(Process process, long pgid, Path record) {
        this.process = process;
        this.pgid = pgid;
        this.record = record;
    }

    /** Starts {@code command}; its stdout and stderr go to {@code out} and {@code err} (both 0600). */
    static TaskProcess start(String taskId, String command, Path out, Path err, Path outputs) throws IOException {
        for (Path p : List.of(out, err)) {
            // Created 0600 before the task writes: its output may hold results. ProcessBuilder truncates, keeping the mode.
            PrivateFiles.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
        }
        Process process = new ProcessBuilder("setpriv", "--pdeathsig", "TERM", "--", "setsid", "bash", "-c", SUPERVISOR,
                "shatter-task-" + taskId, command)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // Started by Java, the process leads no group, so setsid makes a new one without forking: its pid is the group's id.
        long pgid = process.pid();
        Path record = outputs.resolve(taskId + RECORD_SUFFIX);
        Optional<ProcessIdentity> leader = ProcessIdentity.of(pgid);
        if (leader.isPresent() && SELF != null) {
            PrivateFiles.writeAtomically(record, (pgid + " " + leader.get().startTicks() + " " + SELF.pid() + " " + SELF.startTicks() + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
        return new TaskProcess(process, pgid, record);
    }

    /**
     * Waits for the task; its exit status, or empty when {@code cancelled} turned true first. Either
     * way the group is killed before this returns.
     */
    Optional<Integer> await(BooleanSupplier cancelled) throws InterruptedException {
        try {
            while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    return Optional.empty();
                }
            }
            return Optional.of(process.exitValue());
        } finally {
            killGroup(pgid);
            process.destroyForcibly();
            try {
                Files.deleteIfExists(record);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", record, e.getMessage());
            }
        }
    }

    /**
     * Kills what earlier incarnations of the run left: every group recorded in {@code outputs}
     * whose owning JVM is gone, and of it only processes that started no earlier than its leader
     * (Linux does not hand out a group's id again while a member lives, so such a process is the task's).
     * Returns the number of processes killed.
     */
    static int killLeftovers(Path outputs) {
        int killed = 0;
        if (!Files.isDirectory(outputs)) {
            return 0;
        }
        try (DirectoryStream<Path> records = Files.newDirectoryStream(outputs, "*" + RECORD_SUFFIX)) {
            for (Path record : records) {
                String[] f = Files.readString(record, StandardCharsets.US_ASCII).strip().split(" ");
                if (f.length != 4) {
                    Files.deleteIfExists(record);
                    continue;
                }
                long pgid = Long.parseLong(f[0]);
                long leaderStart = Long.parseLong(f[1]);
                ProcessIdentity owner = new ProcessIdentity(Long.parseLong(f[2]), 0, Long.parseLong(f[3]));
                if (owner.isAlive()) {
                    continue; // a live worker's task, not a leftover
                }
                List<Long> members = ProcessIdentity.groupMembers(pgid, leaderStart);
                if (!members.isEmpty()) {
                    LOG.warn("killing {} process(es) of task group {} left by an earlier run ({})", members.size(), pgid, record.getFileName());
                    killGroup(pgid);
                    killed += members.size();
                }
                Files.deleteIfExists(record);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("cannot look for leftover task processes in {}: {}", outputs, e.getMessage());
        }
        return killed;
    }

    private static void killGroup(long pgid) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(10, TimeUnit.SECONDS); // exits 1 when the group is already gone: nothing to do then
        } catch (IOException e) {
            LOG.warn("cannot kill task group {}: {}", pgid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A process as Linux knows it: pid, process group, and start time (clock ticks after boot), from /proc. */
    record ProcessIdentity(long pid, long pgid, long startTicks) {
        static Optional<ProcessIdentity> of(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
                // The command name (field 2) is in parentheses and may hold spaces: the fields after its ')' are plain.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Optional.of(new ProcessIdentity(pid, Long.parseLong(f[2]), Long.parseLong(f[19])));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        boolean isAlive() {
            return of(pid).map(p -> p.startTicks == startTicks).orElse(false);
        }

        static List<Long> groupMembers(long pgid, long notBefore) throws IOException {
            List<Long> members = new ArrayList<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
                for (Path p : procs) {
                    of(Long.parseLong(p.getFileName().toString()))
                            .filter(id -> id.pgid == pgid && id.startTicks >= notBefore)
                            .ifPresent(id -> members.add(id.pid));
                }
            }
            return members;
        }
    }
}
