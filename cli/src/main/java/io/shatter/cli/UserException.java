package io.shatter.cli;

/** A mistake in what the user asked for: printed as one paragraph, no stack trace, exit code 2. */
public final class UserException extends RuntimeException {

    /** A message that says what was wrong and what to do. */
    public UserException(String message) {
        super(message);
    }
}
