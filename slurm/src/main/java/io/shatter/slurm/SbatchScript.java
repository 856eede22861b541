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
 *
 * <p>Every value that goes on an {@code #SBATCH} line is checked here first against Slurm's own
 * rules for it ({@link IllegalArgumentException} naming the option and the value) and then written
 * in double quotes, the only quoting sbatch reads there; everything in the script body is shell-quoted.
 */
public final class SbatchScript {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    /** Partition, account and QOS names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    /** Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. */
    private static final Pattern TIME = Pattern.compile("[0-9]+(:[0-9]{1,2}){0,2}|[0-9]+-[0-9]+(:[0-9]{1,2}){0,2}");
    /** Memory per node: a number with an optional unit (K, M, G, T). */
    private static final Pattern MEMORY = Pattern.compile("[0-9]+[KMGT]?");
    /** Seconds between the main job's --signal and its end: enough to journal and cancel the worker jobs. */
    public static final int MAIN_SIGNAL_SECONDS = 30;

    private SbatchScript() {
    }

    /**
     * What a site asks every job to carry, checked on construction; null means "not given" (the site's default).
     *
     * @param time    {@code --time} (Slurm's formats, for example {@code 2:00:00} or {@code 1-0})
     * @param mem     {@code --mem} per node (for example {@code 4G})
     * @param account {@code --account}
     * @param qos     {@code --qos}
     * @param envFile a file the job sources before starting shatter (where the site's MPI bindings are set), or null
     */
    public record Site(String time, String mem, String account, String qos, Path envFile) {
        public Site {
            check("--time", time, TIME, "a Slurm time such as 90, 2:00:00 or 1-12:00");
            check("--mem", mem, MEMORY, "a size such as 4000 or 4G");
            check("--account", account, NAME, "a Slurm account name (letters, digits, _ . -)");
            check("--qos", qos, NAME, "a QOS name (letters, digits, _ . -)");
        }

        /** Nothing given: the site's defaults. */
        public static final Site DEFAULTS = new Site(null, null, null, null, null);

        void directives(StringBuilder s) {
            directive(s, "time", time);
            directive(s, "mem", mem);
            directive(s, "account", account);
            directive(s, "qos", qos);
        }
    }

    /**
     * The main job.
     *
     * @param jobName       Slurm job name
     * @param partition     the reserved partition
     * @param nodes         {@code --nodes}, or null to let Slurm choose
     * @param tasks         Slurm tasks: one per MPI rank (broker + workers) under mpirun, else 1
     * @param tasksPerNode  {@code --ntasks-per-node}, or null
     * @param cpus          CPUs per task (without mpirun: the one task that runs the broker and its local ranks)
     * @param site          time, memory, account, QOS and the environment file
     * @param runDir        absolute run directory (job output goes there too)
     * @param workDir       directory the command runs in, so relative paths mean what they meant at submission
     * @param shatter       the command that starts shatter, for example {@code [/opt/shatter/bin/shatter]}
     * @param runArguments  what follows {@code shatter}: {@code run WORKLOAD options... --run-dir DIR}
     * @param useMpirun     start it under {@code mpirun} (one MPI process per Slurm task)
     */
    public record MainJob(String jobName, String partition, Integer nodes, int tasks, Integer tasksPerNode, int cpus, Site site,
                          Path runDir, Path workDir, List<String> shatter, List<String> runArguments, boolean useMpirun) {
        public MainJob {
            check("--partition", partition, NAME, "a partition name");
            check("the job name", jobName, NAME, "letters, digits, _ . -");
            checkPath("--run-dir", runDir);
        }
    }

    /**
     * An excess worker job.
     *
     * @param partition     the preemptible partition
     * @param cpus          cores the worker offers
     * @param site          time, memory, account and QOS (the environment file is not needed: workers use no MPI)
     * @param runDir        absolute run directory: the broker's address is read from its {@code join.addr} when the job starts
     * @param tokenFile     the run's token file (owner-only)
     * @param graceSeconds  seconds the worker needs to checkpoint and leave after SIGTERM
     * @param shatter       the command that starts shatter
     * @param runArguments  what follows it, as in the main job: {@code run WORKLOAD options...}
     */
    public record WorkerJob(String partition, int cpus, Site site, Path runDir, Path tokenFile, int graceSeconds,
                            List<String> shatter, List<String> runArguments) {
        public WorkerJob {
            check("--excess-partition", partition, NAME, "a partition name");
            checkPath("--run-dir", runDir);
        }
    }

    /** The main job's script. */
    public static String mainJob(MainJob job) {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Shatter main job, written by 'shatter submit'. Submit it by hand with: sbatch <this file>\n");
        s.append(job.useMpirun() ? "# One MPI rank per task on the reserved partition: rank 0 is the broker, the others workers.\n"
                : "# The broker and its ranks run in one task on the reserved partition.\n");
        s.append("# --requeue lets Slurm restart the job after a node failure; it resumes from the run directory's journal.\n");
        s.append("# --signal: SIGTERM ").append(MAIN_SIGNAL_SECONDS).append(" s before the time limit, so that the broker journals what is\n");
        s.append("# committed and cancels its worker jobs before the kill; running resumable shards resume from their last\n");
        s.append("# checkpoint when the same command runs again. --open-mode=append keeps the log of earlier runs on requeue.\n");
        directive(s, "job-name", job.jobName());
        directive(s, "partition", job.partition());
        if (job.nodes() != null) {
            directive(s, "nodes", job.nodes().toString());
        }
        directive(s, "ntasks", String.valueOf(job.useMpirun() ? job.tasks() : 1));
        if (job.tasksPerNode() != null) {
            directive(s, "ntasks-per-node", job.tasksPerNode().toString());
        }
        directive(s, "cpus-per-task", String.valueOf(job.cpus()));
        job.site().directives(s);
        s.append("#SBATCH --requeue\n");
        directive(s, "signal", "B:TERM@" + MAIN_SIGNAL_SECONDS);
        directive(s, "output", job.runDir() + "/slurm-%j.out");
        directive(s, "open-mode", "append");
        s.append("set -euo pipefail\n\n");
        s.append("cd ").append(quote(job.workDir().toString())).append('\n');
        List<String> command = new ArrayList<>();
        if (job.useMpirun()) {
            if (job.site().envFile() != null) {
                s.append("# Where this site's Open MPI Java bindings are (SHATTER_MPI_JAR).\n");
                s.append(". ").append(quote(job.site().envFile().toString())).append('\n');
            }
            s.append("# Open MPI refuses to run as root unless told to (CI and test machines run jobs as root).\n");
            s.append("if [ \"$(id -u)\" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi\n");
            s.append("# mpirun passes Slurm's SIGTERM on to the ranks; they get this long before its SIGKILL (Open MPI's default: 1 s).\n");
            s.append("export OMPI_MCA_odls_base_sigkill_timeout=").append(MAIN_SIGNAL_SECONDS - 10).append('\n');
            command.addAll(List.of("mpirun", "-np", String.valueOf(job.tasks())));
        }
        command.addAll(job.shatter());
        command.addAll(job.runArguments());
        s.append("exec ").append(join(command)).append('\n');
        return s.toString();
    }

    /** An excess worker job's script. */
    public static String workerJob(WorkerJob job) {
        Path addressFile = job.runDir().resolve(ExcessWorkers.ADDRESS_FILE);
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Shatter excess worker: joins the broker whose address is in ").append(addressFile).append(" and runs\n");
        s.append("# shards until the run ends or Slurm takes the cores back. On preemption Slurm sends SIGTERM to every process of\n");
        s.append("# the job (GraceTime 0), then SIGKILL after KillWait: the worker checkpoints its shards and exits 0\n");
        s.append("# in between. --signal gives the same warning ").append(job.graceSeconds())
                .append(" s before a time limit. --requeue: Slurm restarts it later.\n");
        directive(s, "job-name", "shatter-worker");
        directive(s, "partition", job.partition());
        directive(s, "ntasks", "1");
        directive(s, "cpus-per-task", String.valueOf(job.cpus()));
        job.site().directives(s);
        s.append("#SBATCH --requeue\n");
        directive(s, "signal", "B:TERM@" + job.graceSeconds());
        directive(s, "output", job.runDir() + "/worker-%j.out");
        directive(s, "open-mode", "append"); // a requeued worker keeps the log of its earlier runs
        s.append("set -euo pipefail\n\n");
        s.append("# The broker's address is read now, not when this script was written: a main job that Slurm requeued\n");
        s.append("# listens on another node and port.\n");
        s.append("address=\"$(cat ").append(quote(addressFile.toString())).append(" 2>/dev/null)\" || {\n");
        s.append("  echo \"shatter worker: no broker address in ").append(addressFile.toString().replace("\"", ""))
                .append(": the main job is not running\" >&2; exit 1; }\n");
        s.append("# sbatch passed on the broker's environment, which under mpirun holds Open MPI's: without this the worker\n");
        s.append("# would take itself for an MPI rank and fail in MPI_Init.\n");
        s.append("for v in $(compgen -e | grep -E '^(OMPI|PMIX|OPAL|PRTE)_' || true); do unset \"$v\"; done\n");
        s.append("# exec: the worker itself is the batch process, so it is the one that gets SIGTERM.\n");
        List<String> command = new ArrayList<>(job.shatter());
        command.addAll(job.runArguments());
        s.append("exec ").append(join(command)).append(" --join \"$address\" ")
                .append(join(List.of("--token-file", job.tokenFile().toString(), "--cores", Integer.toString(job.cpus())))).append('\n');
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

    /**
     * {@code #SBATCH --option="value"}: sbatch reads double quotes on these lines (and nothing else of the shell's
     * quoting), so the value is one word for it; values were checked to hold no quote, backslash, '#' or line break.
     */
    private static void directive(StringBuilder s, String option, String value) {
        if (value != null) {
            if (value.indexOf('"') >= 0 || value.indexOf('\\') >= 0 || value.indexOf('#') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("--" + option + " \"" + value + "\" cannot go on an #SBATCH line");
            }
            s.append("#SBATCH --").append(option).append("=\"").append(value).append("\"\n");
        }
    }

    private static void check(String option, String value, Pattern allowed, String expected) {
        if (value != null && !allowed.matcher(value).matches()) {
            throw new IllegalArgumentException(option + " \"" + value + "\" is not " + expected
                    + "; it would go on an #SBATCH line, which cannot be quoted");
        }
    }

    /** A path on an #SBATCH line: no white space or shell/Slurm metacharacters. */
    private static void checkPath(String option, Path path) {
        if (!SAFE.matcher(path.toString()).matches() || path.toString().contains("%")) {
            throw new IllegalArgumentException(option + " " + path + " holds white space or a character such as ' \" $ % * that an"
                    + " #SBATCH line cannot carry; choose a directory whose path has letters, digits and _ . - / + = @ , : only");
        }
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
