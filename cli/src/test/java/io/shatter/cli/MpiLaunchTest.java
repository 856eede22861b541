package io.shatter.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code shatter} command as ranks of real MPI jobs: under Open MPI's {@code mpirun} (one JVM per
 * rank) and under MPJ Express ({@code --mpj}), with the results of local ranks, and a worker rank
 * killed with SIGKILL mid-run. Skipped without MPI unless {@code SHATTER_REQUIRE_MPI=1} (CI).
 */
class MpiLaunchTest {
    private static final String[] HEAT = {"run", "heat", "--grid", "256", "--tiles", "4", "--steps", "6", "--sweeps", "20", "--verify"};

    @TempDir
    Path dir;

    @Test
    void heatUnderMpirunMatchesLocalRanksAndUsesEveryWorkerRank() throws Exception {
        Path mpiJar = requireOpenMpi();
        Path summary = dir.resolve("s.json");
        List<String> cmd = mpirun(4, mpiJar);
        cmd.addAll(List.of(HEAT));
        cmd.addAll(List.of("--no-progress", "--summary-json", summary.toString()));
        Run mpi = Run.start(cmd).await(180);
        assertEquals(0, mpi.exitCode, mpi.output());
        assertTrue(mpi.output().contains("verified:"), mpi.output());
        String json = Files.readString(summary);
        for (int rank = 1; rank <= 3; rank++) {
            assertTrue(json.matches("(?s).*\"shards_by_rank\" : \\{[^}]*\"" + rank + "\" : [1-9].*"), "rank " + rank + " did work: " + json);
        }
        assertEquals(resultLine(local()), resultLine(mpi.output()), "the same result line as local ranks");
        assertEquals(1, count(mpi.output(), "verified:"), "only rank 0 reports:\n" + mpi.output());
    }

    /** The recorded graph under mpirun: every rank replays the Cholesky loop, records the same graph, and the result is local ranks'. */
    @Test
    void inferredCholeskyUnderMpirunMatchesLocalRanks() throws Exception {
        Path mpiJar = requireOpenMpi();
        String[] cholesky = {"run", "cholesky", "--tiles", "16", "--tile-size", "48", "--verify", "--no-progress"};
        List<String> cmd = mpirun(4, mpiJar);
        cmd.addAll(List.of(cholesky));
        Run mpi = Run.start(cmd).await(180);
        assertEquals(0, mpi.exitCode, mpi.output());
        assertTrue(mpi.output().contains("verified: L equals the sequential loop's bit for bit (16x16 tiles of 48)"), mpi.output());
        List<String> localCmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        localCmd.addAll(List.of(cholesky));
        localCmd.addAll(List.of("--ranks", "3"));
        Run local = Run.start(localCmd).await(180);
        assertEquals(0, local.exitCode, local.output());
        java.util.function.Function<String, String> line = out -> out.lines().filter(l -> l.startsWith("cholesky:")).findFirst().orElse("none in:\n" + out);
        assertEquals(line.apply(local.output()), line.apply(mpi.output()));
    }

    @Test
    void ranksMismatchUnderMpirunIsAClearError() throws Exception {
        Path mpiJar = requireOpenMpi();
        List<String> cmd = mpirun(3, mpiJar);
        cmd.addAll(List.of("run", "montecarlo", "--ranks", "5", "--no-progress"));
        Run run = Run.start(cmd).await(120);
        assertNotEquals(0, run.exitCode, run.output());
        assertTrue(run.output().contains("--ranks 5 does not match the 2 worker ranks"), run.output());
    }

    @Test
    void heatUnderMpjExpressMatchesLocalRanks() throws Exception {
        requireMpj();
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(HEAT));
        cmd.addAll(List.of("--mpj", "--ranks", "3", "--no-progress"));
        Run mpj = Run.start(cmd).await(180);
        assertEquals(0, mpj.exitCode, mpj.output());
        assertTrue(mpj.output().contains("verified:"), mpj.output());
        assertEquals(resultLine(local()), resultLine(mpj.output()));
    }

    @Test
    void mpjPropagatesAFailingExitCode() throws Exception {
        requireMpj();
        // Bad input on every rank: MPJ's starter exits 0, the launcher must not.
        List<String> cmd = List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "heat", "--grid", "100", "--tiles", "3", "--mpj", "--ranks", "2", "--no-progress");
        Run mpj = Run.start(cmd).await(120);
        assertEquals(Main.USAGE, mpj.exitCode, mpj.output());
        assertTrue(mpj.output().contains("not divisible"), mpj.output());
    }

    @Test
    void aWorkerKilledWithSigkillEndsTheJobPromptlyWithAClearMessage() throws Exception {
        Path mpiJar = requireOpenMpi();
        List<String> cmd = mpirun(4, mpiJar);
        // Long enough that it is still running when the worker dies.
        cmd.addAll(List.of("run", "heat", "--grid", "256", "--tiles", "4", "--steps", "5000", "--sweeps", "20"));
        Run run = Run.start(cmd);
        assertTrue(run.progressSeen.await(120, TimeUnit.SECONDS), "the run never reported progress:\n" + run.output());
        ProcessHandle victim = rankProcess(run.process, 2)
                .orElseThrow(() -> new AssertionError("no process with OMPI_COMM_WORLD_RANK=2 under mpirun"));
        long killedAt = System.nanoTime();
        assertTrue(victim.destroyForcibly(), "SIGKILL rank 2");
        run.await(30);
        long seconds = (System.nanoTime() - killedAt) / 1_000_000_000L;
        assertNotEquals(0, run.exitCode, run.output());
        assertTrue(seconds < 30, "the job ended " + seconds + " s after the kill");
        assertTrue(run.output().contains("rank 2") && run.output().contains("signal 9"), "mpirun names the rank and signal:\n" + run.output());
        assertTrue(run.output().contains("the run was stopped before it finished"), "rank 0 says what happened:\n" + run.output());
    }

    // ------------------------------------------------------------------ helpers

    private static Path requireOpenMpi() {
        String env = System.getenv("SHATTER_MPI_JAR");
        Path jar = Path.of(env != null && !env.isBlank() ? env : "/opt/shatter/openmpi/mpi.jar");
        require(Files.isRegularFile(jar) && onPath("mpirun"), "Open MPI with its Java bindings (mpirun and " + jar + ")");
        return jar;
    }

    private static void requireMpj() {
        String env = System.getenv("MPJ_HOME");
        Path home = Path.of(env != null && !env.isBlank() ? env : "/opt/shatter/mpj");
        require(Files.isRegularFile(home.resolve("lib/starter.jar")), "MPJ Express (" + home + "/lib/starter.jar)");
    }

    private static void require(boolean found, String what) {
        if (found) {
            return;
        }
        String message = what + " is not installed; run scripts/install-mpi.sh (as root) and . /opt/shatter/env.sh";
        if ("1".equals(System.getenv("SHATTER_REQUIRE_MPI"))) {
            fail(message + " (SHATTER_REQUIRE_MPI=1 makes this a failure instead of a skip)");
        }
        Assumptions.abort(message);
    }

    private static List<String> mpirun(int ranks, Path mpiJar) {
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--oversubscribe"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add("--allow-run-as-root");
        }
        // -cp first: mpirun rewrites the argument after the first option containing "cp" (scripts/README.md).
        cmd.addAll(List.of("-np", String.valueOf(ranks), "java", "-cp", mpiJar + ":" + System.getProperty("java.class.path"),
                "-Xmx512m", Main.class.getName()));
        return cmd;
    }

    private String local() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(HEAT));
        cmd.addAll(List.of("--ranks", "3", "--no-progress"));
        Run local = Run.start(cmd).await(180);
        assertEquals(0, local.exitCode, local.output());
        return local.output();
    }

    private static String resultLine(String output) {
        return output.lines().filter(l -> l.startsWith("heat:")).findFirst().orElse("no result line in:\n" + output);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static Optional<ProcessHandle> rankProcess(Process mpirun, int rank) {
        return mpirun.descendants().filter(p -> {
            try {
                String env = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "environ"), StandardCharsets.ISO_8859_1);
                return env.contains("\0OMPI_COMM_WORLD_RANK=" + rank + "\0") && p.info().command().orElse("").endsWith("java");
            } catch (IOException e) {
                return false; // gone, or not ours to read
            }
        }).findFirst();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    /** A child process whose merged output is collected line by line; progress lines release a latch. */
    private static final class Run {
        final Process process;
        final StringBuffer out = new StringBuffer();
        final CountDownLatch progressSeen = new CountDownLatch(1);
        final Thread reader;
        int exitCode = -1;

        private Run(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        out.append(line).append('\n');
                        if (line.startsWith("[heat] ")) {
                            progressSeen.countDown();
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "output");
            reader.start();
        }

        /** Starts {@code cmd} in a fresh directory, so that its default run directory holds no other run's journal. */
        static Run start(List<String> cmd) throws IOException {
            java.io.File workDir = Files.createTempDirectory("shatter-mpi-launch").toFile();
            return new Run(new ProcessBuilder(cmd).directory(workDir).redirectErrorStream(true).start());
        }

        Run await(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                reader.join(5_000);
                fail("still running after " + seconds + " s: " + String.join(" ", process.info().arguments().map(List::of).orElse(List.of()))
                        + "\n" + out);
            }
            reader.join(10_000);
            exitCode = process.exitValue();
            return this;
        }

        String output() {
            return out.toString();
        }
    }
}
