package io.shatter.predictor;

/** What a trace reader does with a malformed line. */
public enum BadLinePolicy {
    /** Skip the line, count it, and report its line number with the result. */
    SKIP,
    /** Stop reading with a {@link PredictorException} naming the line. */
    STOP
}
