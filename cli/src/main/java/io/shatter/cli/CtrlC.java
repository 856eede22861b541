package io.shatter.cli;

import io.shatter.RunStop;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) during a run: the first asks the broker to stop cleanly ({@link RunStop}), so
 * that the summary so far and the command that resumes are printed; a second one ends the process
 * at once. The JVM's default would exit without a word while committed work sits in the journal.
 */
final class CtrlC implements AutoCloseable {
    private static final Signal INT = new Signal("INT");
    /** The shell's convention for a process ended by SIGINT (128 + 2). */
    static final int EXIT_CODE = 130;

    private final SignalHandler previous;

    private CtrlC(SignalHandler previous) {
        this.previous = previous;
    }

    /** Handles SIGINT until {@link #close()}. */
    static CtrlC install(RunStop stop) {
        SignalHandler previous;
        try {
            previous = Signal.handle(INT, signal -> {
                if (stop.reason() != null) {
                    Runtime.getRuntime().halt(EXIT_CODE); // the second Ctrl-C: the user does not want to wait
                }
                System.err.println(System.lineSeparator() + "shatter: stopping (Ctrl-C again to quit at once)...");
                stop.request("interrupted (Ctrl-C)");
            });
        } catch (IllegalArgumentException e) {
            previous = null; // the JVM keeps SIGINT to itself (-Xrs): the default applies
        }
        return new CtrlC(previous);
    }

    @Override
    public void close() {
        if (previous != null) {
            Signal.handle(INT, previous);
        }
    }
}
