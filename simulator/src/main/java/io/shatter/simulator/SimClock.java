package io.shatter.simulator;

import java.util.function.LongSupplier;

/**
 * The simulated clock, in nanoseconds since the simulation started. Event sources that read a
 * clock (a {@code TraceReplay}) are given this one, so they run on simulated time.
 */
public final class SimClock implements LongSupplier {
    private long now;

    @Override
    public long getAsLong() {
        return now;
    }

    void set(long nanos) {
        now = nanos;
    }
}
