package io.shatter.time;

/**
 * Where the broker gets time. Injected so that the very same scheduling code runs against the
 * system clock in production and against a {@link ManualClock} in tests and simulations.
 */
public interface Clock {

    /** Monotonic nanoseconds; only differences mean anything. */
    long nanoTime();

    /** The system's monotonic clock. */
    Clock SYSTEM = System::nanoTime;
}
