package io.shatter.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Readable {@code sbatch} scripts for the main job (reserved partition, the broker and its ranks
 * under {@code mpirun}) and for excess worker jobs (the same command, joining the broker).
 * A person can read them, edit them and submit them by hand. A worker runs the very command of the
 * main job ({@code shatter run WORKLOAD options...}, SPMD: it must build the same graph) with
 * {@code --join HOST:PORT --token-file FILE --cores N} added, which makes it join instead of start ranks.
 */
public final class SbatchScript {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private SbatchScript() {
    }

    /**
     * The main job.
     *
     * @param jobName       Slurm job name
     * @param partition     the reserved partition
     * @param tasks         Slurm tasks: one per MPI rank (broker + workers) under mpirun, else 1
     * @param cpus          CPUs per task (without mpirun: the one task that runs the broker and its local ranks)
     * @param runDir        absolute run directory (job output goes there too)
     * @param workDir       directory the command runs in, so relative paths mean what they meant at submission
     * @param shatter       the command that starts shatter, for example {@code [/opt/shatter/bin/shatter]}
     * @param runArguments  what follows {@code shatter}: {@code run WORKLOAD options... --run-dir DIR}
     * @param useMpirun     start it under {@code mpirun} (one MPI process per Slurm task)
     */
    public record MainJob(String jobName, String partition, int tasks, int cpus, Path runDir, Path workDir, List<String> shatter,
                          List<String> runArguments, boolean useMpirun) {
    }

    /**
     * An excess worker job.
     *
     * @param partition     the preemptible partition
     * @param cpus          cores the worker offers
     * @param runDir        absolute run directory
     * @param brokerAddress {@code HOST:PORT} of the broker's join server
     * @param tokenFile     the run's token file (owner-only)
     * @param graceSeconds  seconds the worker needs to checkpoint and leave after SIGTERM
     * @param shatter       the command that starts shatter
     * @param runArguments  what follows it, as in the main job: {@code run WORKLOAD options...}
     */
    public record WorkerJob(String partition, int cpus, Path runDir, String brokerAddress, Path tokenFile, int graceSeconds,
                            List<String> shatter, List<String> runArguments) {
    }

    /** The main job's script. */
    public static String mainJob(MainJob job) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Shatter main job, written by 'shatter submit'. Submit it by hand with: sbatch <this file>\n");
        s.append(job.useMpirun() ? "# One MPI rank per task on the reserved partition: rank 0 is the broker, the others workers.\n"
                : "# The broker and its ranks run in one task on the reserved partition.\n");
        s.append("# --requeue lets Slurm restart the job after a node failure; it resumes from the run directory's journal.\n");
        s.append("#SBATCH --job-name=").append(job.jobName()).append('\n');
        s.append("#SBATCH --partition=").append(job.partition()).append('\n');
        s.append("#SBATCH --ntasks=").append(job.useMpirun() ? job.tasks() : 1).append('\n');
        s.append("#SBATCH --cpus-per-task=").append(job.cpus()).append('\n');
        s.append("#SBATCH --requeue\n");
        s.append("#SBATCH --output=").append(job.runDir()).append("/slurm-%j.out\n");
        s.append("set -euo pipefail\n\n");
        s.append("cd ").append(quote(job.workDir().toString())).append('\n');
        List<String> command = new ArrayList<>();
        if (job.useMpirun()) {
            s.append("# Open MPI refuses to run as root unless told to (CI and test machines run jobs as root).\n");
            s.append("if [ \"$(id -u)\" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi\n");
            command.addAll(List.of("mpirun", "-np", String.valueOf(job.tasks())));
        }
        command.addAll(job.shatter());
        command.addAll(job.runArguments());
        s.append("exec ").append(join(command)).append('\n');
        return s.toString();
    }

    /** An excess worker job's script. */
    public static String workerJob(WorkerJob job) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Shatter excess worker: joins the broker at ").append(job.brokerAddress()).append(" and runs shards until the run\n");
        s.append("# ends or Slurm takes the cores back. On preemption Slurm sends SIGTERM to every process of the\n");
        s.append("# job (GraceTime 0), then SIGKILL after KillWait: the worker checkpoints its shards and exits 0\n");
        s.append("# in between. --signal gives the same warning ").append(job.graceSeconds())
                .append(" s before a time limit. --requeue: Slurm restarts it later.\n");
        s.append("#SBATCH --job-name=shatter-worker\n");
        s.append("#SBATCH --partition=").append(job.partition()).append('\n');
        s.append("#SBATCH --ntasks=1\n");
        s.append("#SBATCH --cpus-per-task=").append(job.cpus()).append('\n');
        s.append("#SBATCH --requeue\n");
        s.append("#SBATCH --signal=B:TERM@").append(job.graceSeconds()).append('\n');
        s.append("#SBATCH --output=").append(job.runDir()).append("/worker-%j.out\n");
        s.append("#SBATCH --open-mode=append\n"); // a requeued worker keeps the log of its earlier runs
        s.append("set -euo pipefail\n\n");
        s.append("# exec: the worker itself is the batch process, so it is the one that gets SIGTERM.\n");
        List<String> command = new ArrayList<>(job.shatter());
        command.addAll(job.runArguments());
        command.addAll(List.of("--join", job.brokerAddress(), "--token-file", job.tokenFile().toString(),
                "--cores", Integer.toString(job.cpus())));
        s.append("exec ").append(join(command)).append('\n');
        return s.toString();
    }

    /** Writes {@code script} to {@code file} (readable and executable by its owner and group, not others: it names the token file). */
    public static Path write(Path file, String script) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, script);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
            return file;
        } catch (IOException e) {
            throw new SlurmException("cannot write the job script " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Submits {@code script} with {@code sbatch --parsable} and returns the job id.
     *
     * @throws SlurmException when sbatch is missing or refuses, quoting its message
     */
    public static String submit(SlurmCommands commands, Path script) {
        SlurmCommands.Output out = commands.run(List.of("sbatch", "--parsable", script.toString()));
        if (out.exitCode() != 0) {
            throw new SlurmException("sbatch refused " + script + ": " + out.firstErrorLine()
                    + ". Check the partitions with 'sinfo' and that slurmctld runs ('scontrol ping'); the script is kept, so you can"
                    + " fix it and run 'sbatch " + script + "' by hand.");
        }
        // --parsable prints "ID" or "ID;CLUSTER"
        String id = out.stdout().strip().split(";")[0];
        if (!id.matches("[0-9]+(_[0-9]+)?")) {
            throw new SlurmException("sbatch printed \"" + out.stdout().strip() + "\" instead of a job id");
        }
        return id;
    }

    /** One shell word: as is when it is safe, else in single quotes. */
    static String quote(String word) {
        if (!word.isEmpty() && SAFE.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String join(List<String> words) {
        StringBuilder s = new StringBuilder();
        for (String w : words) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(quote(w));
        }
        return s.toString();
    }
}
