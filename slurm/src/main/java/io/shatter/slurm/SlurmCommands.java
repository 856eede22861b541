package io.shatter.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs Slurm's client commands ({@code sinfo}, {@code squeue}, {@code sbatch}, {@code scancel}) with a
 * deadline, turning "not installed", "controller down" and "timed out" into {@link SlurmException}s
 * that say what to do.
 */
public final class SlurmCommands {
    /** Longer than sinfo's own retries against a dead controller (about 9 s on Slurm 22.05). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Path binDirectory;
    private final Map<String, String> extraEnvironment;
    private final Duration timeout;

    /** Commands found on PATH, run with this process's environment. */
    public SlurmCommands() {
        this(null, Map.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Commands found in {@code binDirectory} (null: on PATH), run with {@code extraEnvironment} added
     * (for example {@code SLURM_CONF}) and a deadline.
     */
    public SlurmCommands(Path binDirectory, Map<String, String> extraEnvironment, Duration timeout) {
        this.binDirectory = binDirectory;
        this.extraEnvironment = Map.copyOf(extraEnvironment);
        this.timeout = timeout;
    }

    /** What a finished command printed. */
    public record Output(int exitCode, String stdout, String stderr) {
        /** The first non-blank line of stderr, else of stdout: what a message should quote. */
        public String firstErrorLine() {
            for (String text : List.of(stderr, stdout)) {
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) {
                        return line.strip();
                    }
                }
            }
            return "(no output)";
        }
    }

    /**
     * Runs {@code command} and returns what it printed, whatever its exit code.
     *
     * @throws SlurmException when the program is not installed or does not finish in time
     */
    public Output run(List<String> command) {
        List<String> argv = new ArrayList<>(command);
        if (binDirectory != null) {
            argv.set(0, binDirectory.resolve(argv.get(0)).toString());
        }
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(extraEnvironment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SlurmException("'" + command.get(0) + "' cannot be run (" + e.getMessage() + "): Slurm's client commands"
                    + " are not installed or not on PATH. Install them (Debian: apt-get install slurm-client), or try Shatter on"
                    + " this machine with scripts/local-slurm.sh start.", e);
        }
        try {
            process.getOutputStream().close(); // the commands read nothing
        } catch (IOException ignored) {
            // already closed by an early exit
        }
        // Both pipes are drained at once so that a chatty command cannot block on a full pipe.
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new SlurmException("'" + String.join(" ", command) + "' did not finish within " + timeout.toSeconds()
                        + " s: slurmctld is overloaded or unreachable. Check it with 'scontrol ping'.");
            }
            return new Output(process.exitValue(), stdout.join(), stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while waiting for '" + command.get(0) + "'", e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
