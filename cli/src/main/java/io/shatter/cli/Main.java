package io.shatter.cli;

import io.shatter.ShatterException;
import io.shatter.cli.predictor.PredictorCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Arrays;

/**
 * Entry point of the {@code shatter} command. Turns every failure into one paragraph and an exit
 * code: 1 when the run failed, 2 for wrong input (options, files, graphs), 3 when verification
 * found a different result; stack traces only with {@code --debug}.
 */
public final class Main {
    /** Exit code of a run that failed (a shard failed on every attempt, or ranks were lost). */
    public static final int RUN_FAILED = 1;
    /** Exit code of wrong input. */
    public static final int USAGE = 2;
    /** Exit code of a run whose result differs from the sequential computation. */
    public static final int VERIFY_FAILED = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command and returns its exit code (used by tests without exiting the JVM). */
    public static int execute(String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new ShatterCommand());
        cli.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter err = e.getCommandLine().getErr();
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine().getCommand() instanceof RunCommand
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                err.println("shatter: unknown workload '" + u.getUnmatched().get(0) + "': choose montecarlo, heat or tasks");
            } else {
                err.println("shatter: " + e.getMessage());
            }
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (debug) {
                e.printStackTrace(err);
            }
            if (e instanceof io.shatter.predictor.PredictorException) {
                return PredictorCommand.userErrorHandler().handleExecutionException(e, commandLine, parseResult);
            }
            if (e instanceof UserException || e instanceof IllegalArgumentException) {
                err.println("shatter: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof io.shatter.GraphException) {
                err.println("shatter: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof ShatterException) {
                err.println("shatter: the run failed: " + e.getMessage());
                return RUN_FAILED;
            }
            err.println("shatter: internal error: " + e + (debug ? "" : " (run again with --debug for the stack trace, and please report it)"));
            return RUN_FAILED;
        });
        return cli.execute(args);
    }
}
