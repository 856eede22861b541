package io.shatter.cli;

import io.shatter.cli.workloads.AnnotatedHeatCommand;
import io.shatter.cli.workloads.BenchCommand;
import io.shatter.cli.workloads.CholeskyCommand;
import io.shatter.cli.workloads.HeatCommand;
import io.shatter.cli.workloads.MonteCarloCommand;
import io.shatter.cli.workloads.TasksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code shatter run WORKLOAD}: runs one of the built-in workloads. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a built-in workload: montecarlo, heat, heat-annotated, cholesky, tasks or bench. 'shatter run WORKLOAD --help' lists its options.",
        subcommands = {MonteCarloCommand.class, HeatCommand.class, AnnotatedHeatCommand.class, CholeskyCommand.class, TasksCommand.class, BenchCommand.class})
public final class RunCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a workload: montecarlo, heat, heat-annotated, cholesky, tasks or bench");
    }
}
