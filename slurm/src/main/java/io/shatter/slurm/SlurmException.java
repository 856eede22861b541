package io.shatter.slurm;

/** Slurm is missing, not running, or refused something; the message says what and what to do. */
public class SlurmException extends RuntimeException {
    public SlurmException(String message) {
        super(message);
    }

    public SlurmException(String message, Throwable cause) {
        super(message, cause);
    }
}
