package io.shatter.cli;

import io.shatter.slurm.SbatchScript;
import io.shatter.slurm.SlurmCommands;
import io.shatter.slurm.SlurmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code shatter submit WORKLOAD [options]}: writes an sbatch script that runs {@code shatter run
 * WORKLOAD options} on the reserved partition, into the run directory, and submits it.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Writes an sbatch script for 'shatter run WORKLOAD [options]' into the run directory and submits it to Slurm.",
                "Workload options are those of 'shatter run WORKLOAD --help'; they are checked before anything is written."})
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "montecarlo, heat or tasks")
    String workload;

    @Parameters(index = "1..*", paramLabel = "OPTION", description = "The workload's options, passed on unchanged.")
    List<String> workloadOptions = new ArrayList<>();

    @Option(names = "--dry-run", description = "Only write the script and print its path; submit nothing.")
    boolean dryRun;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Directory for the run's files and the script (default: ${DEFAULT-VALUE}).")
    Path runDir = Path.of("shatter-run");

    @Option(names = "--partition", paramLabel = "NAME", description = "Partition of the main job (default: ${DEFAULT-VALUE}).")
    String partition = "reserved";

    @Option(names = "--worker-partition", paramLabel = "NAME",
            description = "Partition of the excess worker jobs (passed on as --excess-partition; default: excess).")
    String workerPartition;

    @Option(names = "--time", paramLabel = "TIME",
            description = "Time limit of the main job and of its worker jobs, in Slurm's formats (90, 2:00:00, 1-12:00; default: ${DEFAULT-VALUE}).")
    String time = "1:00:00";

    @Option(names = "--mem", paramLabel = "SIZE", description = "Memory per node of the main job and its worker jobs (4000, 4G; default: the site's).")
    String mem;

    @Option(names = "--account", paramLabel = "NAME", description = "Slurm account charged for the main job and its worker jobs.")
    String account;

    @Option(names = "--qos", paramLabel = "NAME", description = "Quality of service of the main job and its worker jobs.")
    String qos;

    @Option(names = "--nodes", paramLabel = "N", description = "Nodes of the main job (default: as Slurm places its tasks).")
    Integer nodes;

    @Option(names = "--ntasks-per-node", paramLabel = "T",
            description = "MPI ranks per node; with --nodes it sets the job's size, and --ranks may then be left out (nodes x T - 1 workers).")
    Integer tasksPerNode;

    @Option(names = "--env-file", paramLabel = "FILE",
            description = "File the main job sources before mpirun, where the site's Open MPI Java bindings are set"
                    + " (default: $SHATTER_ENV, else /opt/shatter/env.sh when it exists).")
    Path envFile;

    @Option(names = "--no-mpirun", description = "Start shatter directly instead of under mpirun (sites without Open MPI).")
    boolean noMpirun;

    @Option(names = "--shatter-command", paramLabel = "CMD",
            description = "The command the job runs to start shatter, split at spaces (default: this distribution's bin/shatter).")
    String shatterCommand;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = runDir.toAbsolutePath().normalize();
        if (dir.toString().matches(".*\\s.*")) {
            throw new UserException("--run-dir " + dir + " contains white space, which #SBATCH lines cannot carry; choose another directory");
        }
        List<String> runArguments = new ArrayList<>(List.of("run", workload));
        runArguments.addAll(workloadOptions);
        runArguments.addAll(List.of("--run-dir", dir.toString()));
        WorkloadCommand command = checkedCommand(runArguments);
        RunOptions options = command.options;
        int tasks = jobSize(options);
        if (command.excess.excessWorkers > 0) {
            // The worker jobs carry what the main job carries, unless the workload options say otherwise.
            addUnlessGiven(runArguments, "--excess-partition", workerPartition);
            addUnlessGiven(runArguments, "--worker-time", time);
            addUnlessGiven(runArguments, "--worker-mem", mem);
            addUnlessGiven(runArguments, "--worker-account", account);
            addUnlessGiven(runArguments, "--worker-qos", qos);
        }
        // Under mpirun every rank is its own process and Slurm task; the broker's task needs one CPU when ranks
        // offer one core each (Slurm gives all tasks of a job step the same --cpus-per-task). Without mpirun one
        // task holds them all.
        int cpusPerTask = noMpirun ? options.workerRanks() * options.coresPerRank() : options.coresPerRank();
        String script;
        try {
            SbatchScript.Site site = new SbatchScript.Site(time, mem, account, qos, noMpirun ? null : envFile());
            script = SbatchScript.mainJob(new SbatchScript.MainJob("shatter-" + workload, partition, nodes, tasks,
                    noMpirun ? null : tasksPerNode, cpusPerTask, site, dir, Path.of("").toAbsolutePath(), shatter(), runArguments,
                    !noMpirun));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage() + "; nothing was written");
        }
        if (!Files.exists(dir)) {
            // The run's token, results and checkpoints go there: readable by this user only.
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new UserException("cannot create --run-dir " + dir + ": " + e.getMessage());
            }
        }
        Path file = SbatchScript.write(dir.resolve("shatter-" + workload + ".sbatch"), script);
        if (dryRun) {
            out.println(file);
            return 0;
        }
        try {
            String jobId = SbatchScript.submit(new SlurmCommands(), file);
            out.println("submitted job " + jobId + " (" + file + "); its output goes to " + dir.resolve("slurm-" + jobId + ".out"));
        } catch (SlurmException e) {
            throw new UserException(e.getMessage() + (e.getMessage().contains("kept") ? "" : " The script is kept: " + file));
        }
        return 0;
    }

    /**
     * The main job's Slurm tasks, from --ranks or --nodes x --ntasks-per-node, never from this (login)
     * node's cores: the job runs elsewhere. Sets the ranks the options are checked with.
     */
    private int jobSize(RunOptions options) {
        if (nodes != null && nodes < 1 || tasksPerNode != null && tasksPerNode < 1) {
            throw new UserException("--nodes and --ntasks-per-node must be at least 1");
        }
        if (noMpirun && (tasksPerNode != null || nodes != null && nodes > 1)) {
            throw new UserException("--no-mpirun runs the broker and its ranks in one process, on one node: drop --nodes/--ntasks-per-node");
        }
        Integer fromAllocation = !noMpirun && nodes != null && tasksPerNode != null ? nodes * tasksPerNode - 1 : null;
        if (options.ranks == null) {
            if (fromAllocation == null) {
                throw new UserException("--ranks N is required: the job's size is fixed when it is submitted, and this machine's cores"
                        + " say nothing about the compute nodes (or give --nodes N --ntasks-per-node T: nodes x T - 1 worker ranks)");
            }
            options.ranks = fromAllocation; // checked below like a given --ranks; the job takes it from mpirun's world
        } else if (fromAllocation != null && !fromAllocation.equals(options.ranks)) {
            throw new UserException("--ranks " + options.ranks + " needs " + (options.ranks + 1) + " tasks (the broker and the workers),"
                    + " but --nodes " + nodes + " x --ntasks-per-node " + tasksPerNode + " gives " + (fromAllocation + 1));
        }
        options.layout(); // the same consistency checks as 'shatter run'
        int tasks = noMpirun ? 1 : options.ranks + 1;
        if (nodes != null && nodes > tasks) {
            throw new UserException("--nodes " + nodes + " is more than the job's " + tasks + " tasks (--ranks " + options.ranks
                    + " + the broker)");
        }
        return tasks;
    }

    private static void addUnlessGiven(List<String> runArguments, String option, String value) {
        boolean given = runArguments.stream().anyMatch(a -> a.equals(option) || a.startsWith(option + "="));
        if (value != null && !given) {
            runArguments.addAll(runArguments.size() - 2, List.of(option, value)); // before --run-dir DIR
        }
    }

    private Path envFile() {
        if (envFile != null) {
            if (!Files.isReadable(envFile)) {
                throw new UserException("--env-file " + envFile + " is not a readable file");
            }
            return envFile.toAbsolutePath().normalize();
        }
        String fromEnvironment = System.getenv("SHATTER_ENV");
        Path file = Path.of(fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : "/opt/shatter/env.sh");
        return Files.isReadable(file) ? file.toAbsolutePath().normalize() : null;
    }

    /** Parses 'shatter run WORKLOAD options' as the job will, so wrong options fail now and not in the queue. */
    private WorkloadCommand checkedCommand(List<String> runArguments) {
        CommandLine check = new CommandLine(new ShatterCommand());
        try {
            CommandLine.ParseResult parsed = check.parseArgs(runArguments.toArray(String[]::new));
            CommandLine.ParseResult workloadResult = parsed.subcommand() == null ? null : parsed.subcommand().subcommand();
            if (workloadResult == null || !(workloadResult.commandSpec().userObject() instanceof WorkloadCommand command)) {
                throw new UserException("unknown workload '" + workload + "': choose montecarlo, heat or tasks");
            }
            return command;
        } catch (CommandLine.ParameterException e) {
            throw new UserException("the workload options are wrong: " + e.getMessage()
                    + " (see 'shatter run " + workload + " --help'); nothing was written");
        }
    }

    private List<String> shatter() {
        if (shatterCommand != null && !shatterCommand.isBlank()) {
            return List.of(shatterCommand.strip().split("\\s+"));
        }
        Path launcher = Distribution.launcher();
        if (launcher != null) {
            return List.of(launcher.toString());
        }
        // A job script must not point into a source checkout (which may be rebuilt or cleaned while the job waits).
        throw new UserException("this shatter does not run from an installed distribution, and a job must not run from a source"
                + " checkout: build it ('mvn -B -DskipTests package -pl cli -am' makes cli/target/dist/shatter), copy that directory"
                + " to a shared path (cp -a cli/target/dist/shatter /opt/shatter/dist) and run its bin/shatter submit; or pass"
                + " --shatter-command with the command the job should run");
    }
}
