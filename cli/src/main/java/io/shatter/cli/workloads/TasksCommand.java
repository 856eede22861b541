package io.shatter.cli.workloads;

import io.shatter.Codecs;
import io.shatter.ExpectedFailure;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardGraph;
import io.shatter.cli.UserException;
import io.shatter.cli.WorkloadCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task farm inside an allocation: each line of the task file is a shard that runs its command
 * with {@code /bin/sh -c} in a process group of its own that dies with its attempt and its worker
 * ({@link TaskProcess}); its exit status decides success, and its stdout and stderr go to
 * {@code RUN_DIR/tasks/ID.out} and {@code ID.err} (0600).
 */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "Runs the commands of a task file ('ID [priority=P] [after=ID1,ID2] [cores=N] : COMMAND') as a DAG.")
public final class TasksCommand extends WorkloadCommand {
    @Option(names = "--file", paramLabel = "F", required = true, description = "The task file.")
    Path file;

    @Option(names = "--retries", paramLabel = "N", converter = io.shatter.cli.Numbers.NonNegative.class, description = "Times a failing task is run again before the run fails (default: ${DEFAULT-VALUE}).")
    int retries = 0;

    private final Map<String, Shard<long[]>> shards = new LinkedHashMap<>();
    private List<TaskFile.Task> tasks;

    /** A task's command failed; its message says which, how, and where its output is. */
    static final class TaskFailedException extends RuntimeException implements ExpectedFailure {
        TaskFailedException(String message) {
            super(message);
        }
    }

    @Override
    protected ShardGraph buildGraph() throws IOException {
        if (retries < 0) {
            throw new UserException("--retries must not be negative");
        }
        tasks = TaskFile.read(file);
        Path outputs = options.runDir().resolve("tasks");
        io.shatter.files.PrivateFiles.createDirectories(outputs);
        TaskProcess.killLeftovers(outputs); // of an earlier incarnation of this run whose worker was killed
        ShardGraph.Builder g = ShardGraph.builder("tasks:" + file.getFileName());
        for (TaskFile.Task t : tasks) {
            shards.put(t.id(), g.shard(t.id()).priority(t.priority()).cores(t.cores()).retries(retries)
                    .after(t.after().toArray(new String[0]))
                    .compute(Codecs.LONGS, ctx -> runCommand(t, outputs, ctx)));
        }
        return g.build();
    }

    /** Runs the command; returns {exit status, start and end in epoch milliseconds}. */
    private static long[] runCommand(TaskFile.Task task, Path outputs, ShardContext ctx) throws IOException, InterruptedException {
        Path out = outputs.resolve(task.id() + ".out");
        Path err = outputs.resolve(task.id() + ".err");
        long start = System.currentTimeMillis();
        TaskProcess process = TaskProcess.start(task.id(), task.command(), out, err, outputs);
        java.util.Optional<Integer> exit = process.await(ctx::isCancelled);
        if (exit.isEmpty()) {
            throw new TaskFailedException("task '" + task.id() + "' was cancelled");
        }
        int status = exit.get();
        if (status != 0) {
            throw new TaskFailedException("task '" + task.id() + "' (line " + task.line() + ") exited with status " + status
                    + "; its output is in " + out + " and " + err);
        }
        return new long[] {status, start, System.currentTimeMillis()};
    }

    /** The task file's content too: an edited command must not be skipped as already done. */
    @Override
    protected String runIdentity() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return super.runIdentity() + " (content sha256 " + java.util.HexFormat.of().formatHex(digest, 0, 8) + ")";
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new UserException("cannot read the task file " + file + ": " + e.getMessage());
        }
    }

    @Override
    protected boolean dropIntermediateOutputs() {
        return false;
    }

    @Override
    protected String describe(RunResult result) {
        return "tasks: " + tasks.size() + " tasks from " + file + " completed; outputs in " + options.runDir().resolve("tasks");
    }

    @Override
    protected String verify(RunResult result) {
        for (TaskFile.Task t : tasks) {
            long[] r = result.get(shards.get(t.id()));
            if (r[0] != 0) {
                return "task " + t.id() + " exited with " + r[0];
            }
            for (String dep : t.after()) {
                long[] d = result.get(shards.get(dep));
                if (r[1] < d[2]) {
                    return "task " + t.id() + " started before " + dep + " finished";
                }
            }
        }
        return null;
    }

    @Override
    protected String verifiedClaim() {
        return tasks.size() + " tasks each committed once, all exit status 0, every task started after the tasks it runs after";
    }
}
