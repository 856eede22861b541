package io.shatter.protocol;

/** A frame that does not follow the protocol: truncated, corrupt, or from an incompatible version. */
public final class ProtocolException extends RuntimeException {

    /** A protocol error described for the log. */
    public ProtocolException(String message) {
        super(message);
    }
}
