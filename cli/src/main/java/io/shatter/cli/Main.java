package io.shatter.cli;

import io.shatter.ShatterException;
import io.shatter.mpi.MpiUnavailableException;
import io.shatter.cli.predictor.PredictorCommand;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.Arrays;

/**
 * Entry point of the {@code shatter} command. Turns every failure into one paragraph and an exit
 * code: 1 when the run failed, 2 for wrong input (options, files, graphs, a run directory holding
 * another run), 3 when verification found a different result; stack traces only with {@code --debug}.
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
        if (MpiSession.launchedByOpenMpi()) {
            // One rank of an mpirun job: rank 0 becomes the broker, every other rank a worker.
            try {
                MpiSession.openOpenMpi();
            } catch (MpiUnavailableException e) {
                if (MpiSession.openMpiRankFromEnvironment() == 0) {
                    System.err.println("shatter: started by mpirun, but Open MPI cannot be used from Java: " + e.getMessage());
                }
                System.exit(USAGE);
            }
        }
        int code = execute(args);
        MpiSession.close(code);
        System.exit(code);
    }

    /**
     * What a worker rank exits with on wrong input. Every rank sees the same input and rank 0
     * reports it. Under Open MPI a worker that exited non-zero first would make mpirun kill rank 0
     * before it could say what was wrong, so workers exit 0 and leave the job's status to rank 0.
     * MPJ Express ranks are threads of one JVM whose exit code rank 0 alone decides.
     */
    private static int workerInputErrorCode() {
        return MpiSession.launchedByOpenMpi() ? 0 : USAGE;
    }

    /** A message that quotes what the user typed, cut to a readable length (a 2 MB argument stays out of it). */
    private static String clipMessage(String message) {
        return message.length() <= 400 ? message : message.substring(0, 400) + "... (" + message.length() + " characters)";
    }

    /** Runs the command and returns its exit code (used by tests without exiting the JVM). */
    public static int execute(String... args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        // Worker ranks of an MPI job parse the same command as rank 0: only rank 0 reports results
        // and input errors, so they are not printed once per rank.
        boolean workerRank = MpiSession.isWorkerRank();
        CommandLine cli = new CommandLine(new ShatterCommand());
        // 'shatter submit WORKLOAD OPTIONS...' passes the workload's options on unparsed (it checks them itself).
        cli.getSubcommands().get("submit").setUnmatchedOptionsArePositionalParams(true);
        if (workerRank) {
            cli.setOut(new PrintWriter(Writer.nullWriter()));
        }
        cli.setParameterExceptionHandler((e, arguments) -> {
            if (workerRank) {
                return workerInputErrorCode();
            }
            PrintWriter err = e.getCommandLine().getErr();
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine().getCommand() instanceof RunCommand
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                err.println("shatter: unknown workload '" + Texts.clip(u.getUnmatched().get(0)) + "': choose "
                        + RunCommand.workloads(e.getCommandLine()));
            } else {
                err.println("shatter: " + clipMessage(e.getMessage()));
            }
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                // picocli's suggestions: the options or subcommands closest to what was typed
                err.println("Did you mean " + String.join(" or ", u.getSuggestions().stream().limit(3).toList()) + "?");
            }
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean inputError = e instanceof UserException || e instanceof IllegalArgumentException || e instanceof io.shatter.GraphException;
            if (workerRank) {
                if (!inputError) {
                    err.println("shatter: rank " + MpiSession.rank() + ": " + e.getMessage());
                    if (debug) {
                        e.printStackTrace(err);
                    }
                }
                return inputError ? workerInputErrorCode() : RUN_FAILED;
            }
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
            if (e instanceof io.shatter.GraphException || e instanceof io.shatter.RunDirectoryException) {
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
