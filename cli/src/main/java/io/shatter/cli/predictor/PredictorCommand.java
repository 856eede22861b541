package io.shatter.cli.predictor;

import io.shatter.predictor.PredictorException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code shatter predictor}: train and evaluate idle-capacity forecasters. Register it in the main
 * command with {@code addSubcommand(new PredictorCommand())} and install
 * {@link #userErrorHandler()} as the execution-exception handler, so that user errors print a
 * one-paragraph message and exit with code 2.
 */
@Command(name = "predictor", mixinStandardHelpOptions = true,
        description = "Learn a partition's idle cores from capacity history and forecast them.",
        subcommands = {TrainCommand.class, EvaluateCommand.class})
public class PredictorCommand implements Runnable {
    /** Exit code for user errors (bad trace, bad model file). */
    public static final int USER_ERROR = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Prints a {@link PredictorException}'s message (no stack trace) and returns {@link #USER_ERROR}. */
    public static CommandLine.IExecutionExceptionHandler userErrorHandler() {
        return (exception, commandLine, parseResult) -> {
            if (exception instanceof PredictorException) {
                commandLine.getErr().println("shatter: " + exception.getMessage());
                return USER_ERROR;
            }
            throw exception;
        };
    }

    /** A command line for {@code predictor} alone, with the user-error handler installed. */
    public static CommandLine commandLine() {
        return new CommandLine(new PredictorCommand()).setExecutionExceptionHandler(userErrorHandler());
    }

    /** Runs {@code predictor} alone, for testing: {@code java ... io.shatter.cli.predictor.PredictorCommand train ...}. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
