package io.shatter.slurm;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The machine's real single-node Slurm for tests: started with {@code scripts/local-slurm.sh start}
 * when it is not running. When it cannot be started the test is skipped with the reason, or fails
 * when {@code SHATTER_REQUIRE_SLURM=1} (CI).
 */
public final class LocalSlurm {
    private static Boolean running;
    private static String whyNot;

    private LocalSlurm() {
    }

    /** Makes sure Slurm answers, or aborts/fails the calling test. */
    public static synchronized void require() {
        if (running == null || !running) {
            running = start();
        }
        if (!running) {
            if ("1".equals(System.getenv("SHATTER_REQUIRE_SLURM"))) {
                Assertions.fail("SHATTER_REQUIRE_SLURM=1 but the local Slurm is not available: " + whyNot);
            }
            Assumptions.abort("the local Slurm is not available (" + whyNot + "); set SHATTER_REQUIRE_SLURM=1 to fail instead");
        }
    }

    private static boolean start() {
        whyNot = LocalSlurmStarter.ensureRunning();
        return whyNot == null;
    }

    /** Runs a Slurm command that must succeed; returns its stdout. */
    public static String run(String... command) {
        SlurmCommands.Output out = new SlurmCommands().run(List.of(command));
        if (out.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out.stderr() + out.stdout());
        }
        return out.stdout().strip();
    }

    /** The job's state as squeue shows it ("" when squeue no longer lists it). */
    public static String state(String jobId) {
        SlurmCommands.Output out = new SlurmCommands().run(List.of("squeue", "-h", "-j", jobId, "-o", "%T"));
        return out.exitCode() == 0 ? out.stdout().strip() : "";
    }

    /** Waits until {@code condition} holds, polling every 100 ms; fails after {@code deadline}. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                Assertions.fail("timed out after " + deadline.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100); // polling interval of an external system, not a wait for a known event
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Assertions.fail("interrupted waiting for " + what);
            }
        }
    }

    /** Cancels the jobs, ignoring ones already gone. */
    public static void cancel(List<String> jobIds) {
        if (!jobIds.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("scancel"));
            cmd.addAll(jobIds);
            new SlurmCommands().run(cmd);
        }
    }
}
