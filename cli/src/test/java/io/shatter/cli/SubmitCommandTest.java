package io.shatter.cli;

import io.shatter.slurm.LocalSlurmStarter;
import io.shatter.slurm.SlurmCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code shatter submit}: the script it writes, and a real submission to the local Slurm. */
class SubmitCommandTest {
    @TempDir
    Path dir;
    private final List<String> jobs = new ArrayList<>();

    @AfterEach
    void cancelJobs() {
        if (!jobs.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("scancel"));
            cmd.addAll(jobs);
            new SlurmCommands().run(cmd);
        }
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** The job runs this very build: the test JVM's java and classpath. */
    /** This build's classes, with Open MPI's mpi.jar (the job runs under mpirun), as bin/shatter would add it. */
    private static String thisBuild() {
        String mpiJar = System.getenv().getOrDefault("SHATTER_MPI_JAR", "/opt/shatter/openmpi/mpi.jar");
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -cp " + mpiJar + ":" + System.getProperty("java.class.path")
                + " io.shatter.cli.Main";
    }

    @Test
    void dryRunWritesAReadableValidScriptAndPrintsItsPath() throws Exception {
        Path runDir = dir.resolve("run");
        CliRun o = run("submit", "heat", "--ranks", "3", "--grid", "32", "--verify", "--run-dir", runDir.toString(), "--dry-run",
                "--shatter-command", "/opt/shatter/bin/shatter");
        assertEquals(0, o.code(), o.err());
        Path script = Path.of(o.out().strip());
        assertEquals(runDir.resolve("shatter-heat.sbatch"), script);
        String text = Files.readString(script);
        assertTrue(text.contains("#SBATCH --partition=\"reserved\"\n") && text.contains("#SBATCH --requeue\n")
                && text.contains("#SBATCH --ntasks=\"4\"\n") && text.contains("#SBATCH --cpus-per-task=\"1\"\n"), text);
        assertTrue(text.contains("exec mpirun -np 4 /opt/shatter/bin/shatter run heat --ranks 3 --grid 32 --verify --run-dir "
                + runDir + "\n"), text);
        Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(bash.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), new String(bash.getInputStream().readAllBytes()));
    }

    @Test
    void siteOptionsReachTheScriptAndTheWorkerJobsAndTheSizeComesFromTheAllocation() throws Exception {
        Path runDir = dir.resolve("run");
        CliRun o = run("submit", "heat", "--grid", "32", "--excess-workers", "2", "--run-dir", runDir.toString(), "--dry-run",
                "--nodes", "2", "--ntasks-per-node", "2", "--time", "30:00", "--mem", "2G", "--account", "proj", "--qos", "low",
                "--worker-partition", "spot", "--shatter-command", "/opt/shatter/dist/bin/shatter");
        assertEquals(0, o.code(), o.err());
        String text = Files.readString(Path.of(o.out().strip()));
        for (String line : List.of("#SBATCH --nodes=\"2\"", "#SBATCH --ntasks=\"4\"", "#SBATCH --ntasks-per-node=\"2\"", "#SBATCH --cpus-per-task=\"1\"",
                "#SBATCH --time=\"30:00\"", "#SBATCH --mem=\"2G\"", "#SBATCH --account=\"proj\"", "#SBATCH --qos=\"low\"", "#SBATCH --open-mode=\"append\"",
                "exec mpirun -np 4 /opt/shatter/dist/bin/shatter run heat --grid 32 --excess-workers 2 --excess-partition spot"
                        + " --worker-time 30:00 --worker-mem 2G --worker-account proj --worker-qos low --run-dir " + runDir)) {
            assertTrue(text.contains(line + "\n"), "missing \"" + line + "\" in\n" + text);
        }
        assertFalse(text.contains("--ranks"), "the ranks come from mpirun's world, not from this machine: " + text);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir)),
                "the run directory (token, results) is private to the user");
    }

    @Test
    void theJobSizeIsNeverGuessedFromThisMachineAndBadValuesNameTheirOption() {
        Path runDir = dir.resolve("run");
        CliRun o = run("submit", "heat", "--run-dir", runDir.toString(), "--dry-run", "--shatter-command", "x");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("--ranks N is required"), o.err());
        o = run("submit", "heat", "--ranks", "2", "--time", "2 hours", "--run-dir", runDir.toString(), "--dry-run", "--shatter-command", "x");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("--time \"2 hours\"") && !o.err().contains("Exception"), o.err());
        o = run("submit", "heat", "--ranks", "2", "--partition", "a b", "--run-dir", runDir.toString(), "--dry-run", "--shatter-command", "x");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("--partition \"a b\""), o.err());
        o = run("submit", "heat", "--ranks", "2", "--nodes", "2", "--ntasks-per-node", "2", "--run-dir", runDir.toString(), "--dry-run",
                "--shatter-command", "x");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("--ranks 2 needs 3 tasks"), o.err());
        // The test JVM runs from target/classes, not from a distribution: the job must not point into this checkout.
        o = run("submit", "heat", "--ranks", "2", "--run-dir", runDir.toString(), "--dry-run");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("does not run from an installed distribution"), o.err());
        assertFalse(Files.exists(runDir.resolve("shatter-heat.sbatch")), "nothing written");
    }

    @Test
    void wrongWorkloadOptionsAreRejectedBeforeAnythingIsWritten() {
        Path runDir = dir.resolve("run");
        CliRun o = run("submit", "heat", "--ranks", "2", "--no-such-option", "--run-dir", runDir.toString(), "--dry-run");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("the workload options are wrong") && o.err().contains("--no-such-option"), o.err());
        o = run("submit", "nosuch", "--run-dir", runDir.toString(), "--dry-run");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("nosuch"), o.err());
        o = run("submit", "heat", "--ranks", "2", "--excess", "3", "--run-dir", runDir.toString(), "--dry-run");
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("must add up to --ranks"), o.err());
        assertFalse(Files.exists(runDir), "nothing written");
    }

    @Test
    void realSubmissionRunsTheWorkloadToAVerifiedResult() throws Exception {
        String whyNot = LocalSlurmStarter.ensureRunning();
        if (whyNot != null) {
            if ("1".equals(System.getenv("SHATTER_REQUIRE_SLURM"))) {
                Assertions.fail("SHATTER_REQUIRE_SLURM=1 but the local Slurm is not available: " + whyNot);
            }
            Assumptions.abort("the local Slurm is not available (" + whyNot + "); set SHATTER_REQUIRE_SLURM=1 to fail instead");
        }
        Path runDir = dir.resolve("run");
        CliRun o = run("submit", "heat", "--ranks", "2", "--grid", "32", "--tiles", "2", "--steps", "4", "--verify", "--no-progress",
                "--summary-json", runDir.resolve("s.json").toString(), "--run-dir", runDir.toString(), "--shatter-command", thisBuild());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("submitted job "), o.out());
        String jobId = o.out().split(" ")[2];
        jobs.add(jobId);
        Path output = runDir.resolve("slurm-" + jobId + ".out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!new SlurmCommands().run(List.of("squeue", "-h", "-j", jobId, "-t", "PENDING,RUNNING,COMPLETING", "-o", "%T"))
                .stdout().isBlank()) {
            assertTrue(System.nanoTime() < deadline, "job " + jobId + " did not finish within 120 s");
            Thread.sleep(200); // polling Slurm's queue: there is no event to wait on
        }
        String text = Files.exists(output) ? Files.readString(output) : "(no output file " + output + ")";
        assertTrue(text.contains("verified:"), text);
        assertTrue(Files.exists(runDir.resolve("s.json")), "summary written");
    }
}
