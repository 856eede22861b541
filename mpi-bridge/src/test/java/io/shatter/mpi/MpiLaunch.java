package io.shatter.mpi;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Finds Open MPI and MPJ Express as scripts/install-mpi.sh installs them, and runs launchers as child processes. */
final class MpiLaunch {
    private MpiLaunch() {
    }

    record Outcome(int exitCode, String output, long millis) {
    }

    /** Open MPI's mpi.jar, or null. */
    static Path openMpiJar() {
        String env = System.getenv("SHATTER_MPI_JAR");
        Path jar = Path.of(env != null && !env.isBlank() ? env : "/opt/shatter/openmpi/mpi.jar");
        return Files.isRegularFile(jar) && onPath("mpirun") ? jar : null;
    }

    /** MPJ Express's MPJ_HOME, or null. */
    static Path mpjHome() {
        String env = System.getenv("MPJ_HOME");
        Path home = Path.of(env != null && !env.isBlank() ? env : "/opt/shatter/mpj");
        return Files.isRegularFile(home.resolve("lib/starter.jar")) ? home : null;
    }

    /**
     * Skips the test when {@code what} is missing, or fails it when {@code SHATTER_REQUIRE_MPI=1}
     * (CI sets it after running scripts/install-mpi.sh, so a broken install cannot pass silently).
     */
    static void require(Object found, String what) {
        if (found != null) {
            return;
        }
        String message = what + " is not installed; run scripts/install-mpi.sh (as root) and . /opt/shatter/env.sh";
        if ("1".equals(System.getenv("SHATTER_REQUIRE_MPI"))) {
            fail(message + " (SHATTER_REQUIRE_MPI=1 makes this a failure instead of a skip)");
        }
        Assumptions.abort(message);
    }

    /** mpirun with the flags this machine needs: --oversubscribe, and --allow-run-as-root as root. */
    static List<String> mpirun(int ranks) {
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--oversubscribe"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add("--allow-run-as-root");
        }
        cmd.addAll(List.of("-np", String.valueOf(ranks)));
        return cmd;
    }

    /** This test JVM's classpath (surefire's, which has the module's classes and its dependencies). */
    static String testClasspath() {
        return System.getProperty("java.class.path");
    }

    /** Runs {@code command}, collecting stdout and stderr; kills it and fails if it outlives {@code timeout}. */
    static Outcome run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        long start = System.nanoTime();
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), out), "pump");
        pump.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            pump.join(5_000);
            fail("still running after " + timeout + ": " + String.join(" ", command) + "\n--- output ---\n" + text(out));
        }
        pump.join(10_000);
        return new Outcome(p.exitValue(), text(out), (System.nanoTime() - start) / 1_000_000);
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
