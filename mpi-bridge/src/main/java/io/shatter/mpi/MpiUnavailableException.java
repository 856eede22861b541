package io.shatter.mpi;

import io.shatter.ShatterException;

/** The MPI library this run needs cannot be loaded; the message says what to install or set. */
public final class MpiUnavailableException extends ShatterException {
    MpiUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
