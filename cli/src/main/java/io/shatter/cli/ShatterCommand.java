package io.shatter.cli;

import io.shatter.cli.predictor.PredictorCommand;
import picocli.CommandLine.Command;

/** The top-level {@code shatter} command. */
@Command(name = "shatter", mixinStandardHelpOptions = true, version = "shatter 0.1.0",
        description = "Runs a long computation as a DAG of shards on reserved and excess capacity, safely.",
        subcommands = {RunCommand.class, SubmitCommand.class, SimulateCommand.class, PredictorCommand.class})
public final class ShatterCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
