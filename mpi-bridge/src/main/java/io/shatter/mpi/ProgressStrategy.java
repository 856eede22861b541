package io.shatter.mpi;

import java.util.Locale;

/**
 * How the progress thread waits when there is nothing to send or receive. Chosen by measurement
 * (mpi-bridge/README.md): a blocking receive spins a core inside Open MPI, which starves the
 * workers of an oversubscribed node, so the thread polls {@code Iprobe} and backs off.
 */
public enum ProgressStrategy {
    /** Spin briefly after activity (replies usually come within microseconds), then yield, then park for 20 µs doubling to 1 ms. */
    BACKOFF,
    /** Never sleep: lowest latency, one core per rank. For comparison only. */
    SPIN,
    /** Park 1 ms whenever idle: least CPU, at most 1 ms added latency per message. */
    SLEEP;

    /** The strategy named by the system property {@code shatter.mpi.progress} (default BACKOFF). */
    public static ProgressStrategy fromSystemProperty() {
        String name = System.getProperty("shatter.mpi.progress", "backoff");
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dshatter.mpi.progress=" + name + " is not a progress strategy; use backoff, spin or sleep");
        }
    }
}
