package io.shatter.predictor;

/**
 * A user error in predictor input (a malformed or too-short trace, a model file from another
 * version, for other horizons, or corrupt). The message is a complete, user-facing paragraph: the
 * command line prints it as is, without a stack trace, and exits with code 2.
 */
public class PredictorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error whose message is meant for the user. */
    public PredictorException(String message) {
        super(message);
    }

    /** An error whose message is meant for the user, with the low-level cause kept for debugging. */
    public PredictorException(String message, Throwable cause) {
        super(message, cause);
    }
}
