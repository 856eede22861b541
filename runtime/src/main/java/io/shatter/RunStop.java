package io.shatter;

import java.util.Objects;

/**
 * Lets another thread stop a run cleanly, as Ctrl-C does in the {@code shatter} command: the broker
 * cancels the running attempts, keeps every committed result in the journal (the run stays
 * unfinished, so the same run started again resumes), and {@link Shatter#run} throws a
 * {@link RunStoppedException} carrying the summary so far. Give it to
 * {@link RunConfig.Builder#stop(RunStop)}; one per run.
 */
public final class RunStop {
    private volatile String reason;
    private Runnable listener;

    /** Asks the run to stop; {@code reason} ends up in the exception's message. Any thread, any number of times. */
    public void request(String reason) {
        Runnable notify;
        synchronized (this) {
            if (this.reason != null) {
                return;
            }
            this.reason = Objects.requireNonNull(reason);
            notify = listener;
        }
        if (notify != null) {
            notify.run();
        }
    }

    /** Why the run was asked to stop, or null while it was not. */
    public String reason() {
        return reason;
    }

    /**
     * For the broker: runs {@code onRequest} (on the requesting thread) when a stop is requested,
     * at once if one already was.
     */
    public void onRequest(Runnable onRequest) {
        boolean already;
        synchronized (this) {
            listener = onRequest;
            already = reason != null;
        }
        if (already) {
            onRequest.run();
        }
    }
}
