package io.shatter.cli;

import io.shatter.slurm.SbatchScript;
import io.shatter.slurm.SlurmCommands;
import io.shatter.slurm.SlurmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Option(names = "--no-mpirun", description = "Start shatter directly instead of under mpirun (sites without Open MPI).")
    boolean noMpirun;

    @Option(names = "--shatter-command", paramLabel = "CMD",
            description = "The command the job runs to start shatter, split at spaces (default: this installation's bin/shatter).")
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
        RunOptions options = checkedOptions(runArguments);
        // Under mpirun every rank is its own process and Slurm task; without it one task holds them all.
        int tasks = noMpirun ? 1 : options.workerRanks() + 1;
        int cpusPerTask = noMpirun ? options.workerRanks() * options.coresPerRank() : options.coresPerRank();
        String script = SbatchScript.mainJob(new SbatchScript.MainJob("shatter-" + workload, partition, tasks,
                cpusPerTask, dir, Path.of("").toAbsolutePath(), shatter(), runArguments, !noMpirun));
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

    /** Parses 'shatter run WORKLOAD options' as the job will, so wrong options fail now and not in the queue. */
    private RunOptions checkedOptions(List<String> runArguments) {
        CommandLine check = new CommandLine(new ShatterCommand());
        try {
            CommandLine.ParseResult parsed = check.parseArgs(runArguments.toArray(String[]::new));
            CommandLine.ParseResult workloadResult = parsed.subcommand() == null ? null : parsed.subcommand().subcommand();
            if (workloadResult == null || !(workloadResult.commandSpec().userObject() instanceof WorkloadCommand command)) {
                throw new UserException("unknown workload '" + workload + "': choose montecarlo, heat or tasks");
            }
            command.options.layout(); // the same consistency checks as 'shatter run'
            return command.options;
        } catch (CommandLine.ParameterException e) {
            throw new UserException("the workload options are wrong: " + e.getMessage()
                    + " (see 'shatter run " + workload + " --help'); nothing was written");
        }
    }

    private List<String> shatter() {
        if (shatterCommand != null && !shatterCommand.isBlank()) {
            return List.of(shatterCommand.strip().split("\\s+"));
        }
        // This jar is ROOT/cli/target/shatter.jar; bin/shatter sits at ROOT/bin.
        try {
            Path jar = Path.of(SubmitCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = jar.getParent(); d != null; d = d.getParent()) {
                Path launcher = d.resolve("bin/shatter");
                if (Files.isExecutable(launcher)) {
                    return List.of(launcher.toString());
                }
            }
        } catch (Exception e) {
            // fall through to the message below
        }
        throw new UserException("cannot find bin/shatter beside this installation; pass --shatter-command with the command"
                + " the job should run (for example 'java -jar /path/to/shatter.jar')");
    }
}
