package io.shatter.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure this machine's single-node Slurm answers, starting it with {@code scripts/local-slurm.sh
 * start} when it does not (tests and the e2e script use it; it installs the packages on a fresh machine).
 */
public final class LocalSlurmStarter {
    private LocalSlurmStarter() {
    }

    /** Null when Slurm answers (after starting it if needed), else why it cannot be had. */
    public static String ensureRunning() {
        String whyNot = answers();
        if (whyNot == null) {
            return null;
        }
        Path script = repositoryRoot().resolve("scripts/local-slurm.sh");
        if (!Files.isRegularFile(script)) {
            return whyNot + "; and scripts/local-slurm.sh is not found above " + Path.of("").toAbsolutePath();
        }
        try {
            Path log = Files.createTempFile("local-slurm", ".log");
            Process p = new ProcessBuilder("bash", script.toString(), "start").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            // Installing the packages on a fresh machine takes a while; starting the daemons about a second.
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "scripts/local-slurm.sh start did not finish within 5 minutes (log: " + log + ")";
            }
            if (p.exitValue() != 0) {
                return "scripts/local-slurm.sh start exited " + p.exitValue() + ": " + Files.readString(log).strip();
            }
            return answers();
        } catch (IOException e) {
            return "cannot run scripts/local-slurm.sh: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while starting Slurm";
        }
    }

    private static String answers() {
        try {
            SlurmCommands.Output out = new SlurmCommands().run(List.of("sinfo", "-h", "-o", "%R %C"));
            if (out.exitCode() == 0 && out.stdout().contains("excess")) {
                return null;
            }
            return "sinfo: " + out.firstErrorLine();
        } catch (SlurmException e) {
            return e.getMessage();
        }
    }

    /** The repository's root: the first directory upwards holding {@code scripts/local-slurm.sh}. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/local-slurm.sh"))) {
                return d;
            }
        }
        return dir;
    }
}
