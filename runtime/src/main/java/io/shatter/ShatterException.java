package io.shatter;

import io.shatter.observe.RunTimeline;

/**
 * A run or a graph that cannot go on, with a message meant for the person who started it: what was
 * wrong and what to do. Subclasses say which part went wrong.
 */
public class ShatterException extends RuntimeException {
    private transient RunSummary summary;
    private transient RunTimeline timeline;

    /** A failure with a user-facing message. */
    public ShatterException(String message) {
        super(message);
    }

    /** A failure with a user-facing message and its cause. */
    public ShatterException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What the run had done when it stopped (completed shards are never lost), or null outside a run. */
    public RunSummary summary() {
        return summary;
    }

    void attachSummary(RunSummary summary) {
        this.summary = summary;
    }

    /** The timeline up to the failure, if it was recorded; null outside a run. */
    public RunTimeline timeline() {
        return timeline;
    }

    void attachTimeline(RunTimeline timeline) {
        this.timeline = timeline;
    }
}
