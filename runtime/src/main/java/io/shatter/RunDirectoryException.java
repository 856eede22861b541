package io.shatter;

/**
 * The run directory cannot be used: it cannot be created or written, another process holds it, or
 * it holds an unfinished run of a different graph, different arguments or a different journal
 * format. Nothing in it was changed; the message says what to do.
 */
public final class RunDirectoryException extends ShatterException {
    /** A refusal with a user-facing message. */
    public RunDirectoryException(String message) {
        super(message);
    }

    /** A refusal with a user-facing message and its cause. */
    public RunDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
