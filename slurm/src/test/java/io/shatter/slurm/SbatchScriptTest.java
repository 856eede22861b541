package io.shatter.slurm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SbatchScriptTest {
    @TempDir
    Path dir;
    private final List<String> jobs = new ArrayList<>();

    @AfterEach
    void cancelJobs() {
        LocalSlurm.cancel(jobs);
    }

    private static void assertValidBash(Path script) throws Exception {
        Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void mainJobScriptIsValidBashWithTheDirectives() throws Exception {
        String text = SbatchScript.mainJob(new SbatchScript.MainJob("shatter-heat", "reserved", 2, 5, null, 1,
                new SbatchScript.Site("2:00:00", "4G", "proj-1", "normal", Path.of("/opt/site env.sh")), Path.of("/runs/a"),
                Path.of("/home/u/it's here"), List.of("/opt/shatter/bin/shatter"),
                List.of("run", "heat", "--ranks", "4", "--verify", "--run-dir", "/runs/a"), true));
        Path file = SbatchScript.write(dir.resolve("main.sbatch"), text);
        assertValidBash(file);
        for (String line : List.of("#SBATCH --partition=\"reserved\"", "#SBATCH --requeue", "#SBATCH --nodes=\"2\"", "#SBATCH --ntasks=\"5\"",
                "#SBATCH --cpus-per-task=\"1\"", "#SBATCH --time=\"2:00:00\"", "#SBATCH --mem=\"4G\"", "#SBATCH --account=\"proj-1\"",
                "#SBATCH --qos=\"normal\"", "#SBATCH --signal=\"B:TERM@" + SbatchScript.MAIN_SIGNAL_SECONDS + "\"", "#SBATCH --open-mode=\"append\"",
                "#SBATCH --output=\"/runs/a/slurm-%j.out\"", "cd '/home/u/it'\\''s here'", ". '/opt/site env.sh'",
                "exec mpirun -np 5 /opt/shatter/bin/shatter run heat --ranks 4 --verify --run-dir /runs/a")) {
            assertTrue(text.contains(line + "\n"), "missing \"" + line + "\" in\n" + text);
        }
    }

    @Test
    void valuesThatWouldReachAnSbatchLineAreCheckedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SbatchScript.Site("2 hours", null, null, null, null));
        assertTrue(e.getMessage().startsWith("--time \"2 hours\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SbatchScript.Site(null, null, "a\n#SBATCH --x", null, null));
        assertTrue(e.getMessage().startsWith("--account"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SbatchScript.WorkerJob("excess;rm", 1, SbatchScript.Site.DEFAULTS,
                Path.of("/r"), Path.of("/r/t"), 10, List.of("x"), List.of()));
        assertTrue(e.getMessage().startsWith("--excess-partition"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SbatchScript.MainJob("j", "reserved", null, 1, null, 1,
                SbatchScript.Site.DEFAULTS, Path.of("/runs/a b"), Path.of("/"), List.of("x"), List.of(), false));
        assertTrue(e.getMessage().startsWith("--run-dir /runs/a b"), e.getMessage());
    }

    @Test
    void workerScriptIsValidBashWithRequeueAndSignalAndReadsTheBrokerAddressAtStart() throws Exception {
        String text = SbatchScript.workerJob(new SbatchScript.WorkerJob("excess", 2, new SbatchScript.Site("30", null, null, null, null),
                Path.of("/runs/r1"), Path.of("/runs/r1/join.token"), 10, List.of("/opt/shatter/bin/shatter"),
                List.of("run", "heat", "--grid", "64")));
        Path file = SbatchScript.write(dir.resolve("worker.sbatch"), text);
        assertValidBash(file);
        for (String line : List.of("#SBATCH --partition=\"excess\"", "#SBATCH --requeue", "#SBATCH --signal=\"B:TERM@10\"", "#SBATCH --time=\"30\"",
                "#SBATCH --open-mode=\"append\"", "address=\"$(cat /runs/r1/join.addr 2>/dev/null)\" || {",
                "exec /opt/shatter/bin/shatter run heat --grid 64 --join \"$address\" --token-file /runs/r1/join.token --cores 2")) {
            assertTrue(text.contains(line + "\n"), "missing \"" + line + "\" in\n" + text);
        }
    }

    @Test
    void theIssuesInjectionIsRefusedNamingTheOptionAndNothingIsWritten() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SbatchScript.MainJob("shatter-heat",
                "reserved\ntouch /tmp/pwned", null, 1, null, 1, SbatchScript.Site.DEFAULTS, Path.of("/runs/a"), Path.of("/"),
                List.of("x"), List.of(), false));
        assertTrue(e.getMessage().startsWith("--partition \"reserved\ntouch /tmp/pwned\" is not a partition name"), e.getMessage());
        for (String bad : List.of("a b", "a\"b", "a#b", "a'b", "$(id)", "a\\b", "")) {
            assertThrows(IllegalArgumentException.class, () -> new SbatchScript.Site(null, null, null, bad, null), bad);
            assertThrows(IllegalArgumentException.class, () -> new SbatchScript.MainJob(bad, "reserved", null, 1, null, 1,
                    SbatchScript.Site.DEFAULTS, Path.of("/runs/a"), Path.of("/"), List.of("x"), List.of(), false), bad);
        }
    }

    /** sbatch itself reads the quoted directives as the values they hold (checked with --test-only: nothing is queued). */
    @Test
    void theRealSbatchReadsTheQuotedDirectives() throws Exception {
        LocalSlurm.require();
        String text = SbatchScript.mainJob(new SbatchScript.MainJob("shatter-quoted.1", "excess", null, 1, null, 1,
                new SbatchScript.Site("5", null, null, null, null), dir, dir, List.of("true"), List.of(), false));
        Path file = SbatchScript.write(dir.resolve("quoted.sbatch"), text);
        SlurmCommands.Output out = new SlurmCommands().run(List.of("sbatch", "--test-only", file.toString()));
        String said = out.stdout() + out.stderr();
        assertEquals(0, out.exitCode(), said);
        assertTrue(said.contains("in partition excess"), said);
    }

    @Test
    void sbatchRefusalIsReportedAndTheScriptKept() throws IOException {
        LocalSlurm.require();
        Path file = SbatchScript.write(dir.resolve("bad.sbatch"),
                "#!/bin/bash\n#SBATCH --partition=no-such-partition\n#SBATCH --output=/dev/null\ntrue\n");
        SlurmException e = assertThrows(SlurmException.class, () -> SbatchScript.submit(new SlurmCommands(), file));
        assertTrue(e.getMessage().contains("sbatch refused") && e.getMessage().contains("invalid partition"), e.getMessage());
        assertTrue(Files.exists(file));
    }

    /**
     * The grace this design relies on, on the real Slurm: a worker job on the excess partition gets
     * SIGTERM when a reserved job needs its cores, and has several seconds to save its shards and exit
     * 0 before SIGKILL (GraceTime 0; KillWait 10 on the local Slurm). The job is requeued.
     */
    @Test
    void preemptedWorkerJobGetsSigtermAndTimeToSaveBeforeTheKill() throws Exception {
        LocalSlurm.require();
        int total = Integer.parseInt(LocalSlurm.run("sinfo", "-h", "-p", "excess", "-o", "%C").split("/")[3]);
        Path record = dir.resolve("probe.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> probe = List.of(java, "-cp", System.getProperty("java.class.path"), TermProbe.class.getName(), record.toString());
        Files.writeString(dir.resolve(ExcessWorkers.ADDRESS_FILE), "127.0.0.1:1\n"); // the worker script reads it at start
        Path script = SbatchScript.write(dir.resolve("worker.sbatch"), SbatchScript.workerJob(new SbatchScript.WorkerJob(
                "excess", 1, SbatchScript.Site.DEFAULTS, dir, dir.resolve("join.token"), 10, probe, List.of())));
        String worker = SbatchScript.submit(new SlurmCommands(), script);
        jobs.add(worker);
        LocalSlurm.await("the worker job to start", Duration.ofSeconds(60),
                () -> Files.exists(record) && read(record).contains("ready"));

        // A reserved job needing every core of the node: Slurm must preempt the excess job.
        long submittedAt = System.currentTimeMillis();
        String reserved = LocalSlurm.run("sbatch", "--parsable", "-p", "reserved", "-n", Integer.toString(total),
                "-o", "/dev/null", "--wrap", "true");
        jobs.add(reserved);
        LocalSlurm.await("the worker to save and exit after SIGTERM", Duration.ofSeconds(60),
                () -> read(record).contains("saved"));
        String[] lines = read(record).split("\n");
        long term = stamp(lines, "term");
        long saved = stamp(lines, "saved");
        System.out.printf("preemption probe: SIGTERM %d ms after the reserved submission, saved and exited %d ms after SIGTERM%n",
                term - submittedAt, saved - term);
        assertTrue(saved - term >= TermProbe.SAVE_MILLIS, "the worker had its full save time: " + (saved - term) + " ms");
        LocalSlurm.await("the reserved job to run", Duration.ofSeconds(60), () -> LocalSlurm.state(reserved).isEmpty()
                || LocalSlurm.state(reserved).equals("COMPLETED") || LocalSlurm.state(reserved).equals("COMPLETING"));
        String info = LocalSlurm.run("scontrol", "show", "job", worker);
        assertTrue(info.contains("Restarts=1"), "the worker job was requeued, not ended: " + info);
    }

    private static long stamp(String[] lines, String word) {
        for (String l : lines) {
            if (l.startsWith(word + " ")) {
                return Long.parseLong(l.split(" ")[1]);
            }
        }
        throw new AssertionError("no '" + word + "' line in " + String.join(" | ", lines));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
