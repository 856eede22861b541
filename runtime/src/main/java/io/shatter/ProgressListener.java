package io.shatter;

/** Hears how far a run is, from the broker's loop (at most a few times a second). Must return quickly. */
@FunctionalInterface
public interface ProgressListener {

    /** {@code completed} of {@code total} shards are committed. */
    void onProgress(int completed, int total);

    /** A listener that ignores progress. */
    ProgressListener NONE = (completed, total) -> { };
}
