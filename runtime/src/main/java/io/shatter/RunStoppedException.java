package io.shatter;

/**
 * The run was stopped on request ({@link RunStop}) before it finished. Everything committed is kept
 * (in the journal, with a run directory): the same run started again resumes. {@link #summary()}
 * says how far it got.
 */
public final class RunStoppedException extends ShatterException {
    /** A stop with its reason. */
    public RunStoppedException(String reason) {
        super("the run was stopped before it finished: " + reason);
    }
}
