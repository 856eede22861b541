package io.shatter.mpi;

import java.util.Locale;

/**
 * How the progress thread waits when there is nothing to send or receive. Chosen by measurement
 * (mpi-bridge/README.md): a blocking receive spins a core inside Open MPI, which starves the
 * workers of an oversubscribed node, so the thread polls {@code Iprobe}. {@link #BACKOFF} is the
 * default: with assignments and results packed per batch, parking 1 ms ({@link #SLEEP}) left the
 * pipeline waiting on the progress thread (no-op shards 2.4x and a dependent stencil's steps 1.2x
 * slower than with BACKOFF on a loaded 2-core node); a frame to send always wakes the thread at once.
 */
public enum ProgressStrategy {
    /**
     * The default. Yield for 200 µs after activity (a reply often comes within microseconds, and yielding hands
     * the core to busy lanes meanwhile), then park 20 µs doubling to 1 ms; a frame to send wakes it.
     */
    BACKOFF,
    /** Spin 50 µs after activity, then yield until 200 µs, then park like BACKOFF. */
    SPIN_BACKOFF,
    /** Never sleep: lowest latency, one core per rank. For comparison only. */
    SPIN,
    /** Park 1 ms whenever idle: least CPU; an incoming message waits up to 1 ms, an outgoing one not at all. */
    SLEEP;

    /** The strategy named by the system property {@code shatter.mpi.progress} (default BACKOFF). */
    public static ProgressStrategy fromSystemProperty() {
        String name = System.getProperty("shatter.mpi.progress", "backoff");
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dshatter.mpi.progress=" + name + " is not a progress strategy; use backoff, spin_backoff, spin or sleep");
        }
    }
}
