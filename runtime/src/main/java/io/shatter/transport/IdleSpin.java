package io.shatter.transport;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A bounded spin before a thread parks to wait for the next message (the broker's inbox, a worker's
 * frames): the LMAX Disruptor's phased backoff, made adaptive. Waking a parked thread costs the
 * sender a futex call and the receiver a scheduler round trip (tens of microseconds on a loaded
 * node), which is what a chain of dependent shards pays on every step; a short spin catches the
 * answer before that. It must never cost throughput on a node whose cores are all busy, so:
 * <ul>
 *   <li>it spins at most {@link #DEFAULT_BUDGET_NANOS}, busy only for the first few microseconds
 *       and then yielding between looks, so a runnable lane on the same core gets it back at once;</li>
 *   <li>it spins only while waits are short: after a wait longer than twice the budget (shards of a
 *       millisecond, an idle run) the next wait parks at once, until a short wait is seen again.</li>
 * </ul>
 * Not thread-safe: one instance per waiting thread (or per role, handed over under a lock).
 */
public final class IdleSpin {
    /**
     * How long a waiter spins before it parks (system property {@code shatter.idle.spin.nanos}, 0
     * turns spinning off). Above a dependent step's round trip on local ranks, well below a shard
     * long enough for its hand-off to matter.
     */
    public static final long DEFAULT_BUDGET_NANOS = Math.max(0, Long.getLong("shatter.idle.spin.nanos", 50_000L));
    /** Busy spinning (no system call at all) for this long, then a yield between looks. */
    private static final long BUSY_NANOS = 5_000;

    private final long budgetNanos;
    private final LongSupplier nanoTime;
    private boolean spinNext = true;

    /** The default budget on the system's monotonic clock. */
    public IdleSpin() {
        this(DEFAULT_BUDGET_NANOS, System::nanoTime);
    }

    /** A spin of at most {@code budgetNanos}, timed by {@code nanoTime} (a test's manual clock). */
    public IdleSpin(long budgetNanos, LongSupplier nanoTime) {
        if (budgetNanos < 0) {
            throw new IllegalArgumentException("a spin budget cannot be negative, got " + budgetNanos);
        }
        this.budgetNanos = budgetNanos;
        this.nanoTime = nanoTime;
    }

    /**
     * Spins until {@code ready} holds or the budget is spent (at once when recent waits were long):
     * whether it holds now. When it does not, the caller parks as before and then reports how long
     * the whole wait took with {@link #waited(long)}.
     */
    public boolean spin(BooleanSupplier ready) {
        if (!spinNext || budgetNanos == 0) {
            return ready.getAsBoolean();
        }
        long start = nanoTime.getAsLong();
        long spent = 0;
        while (spent < budgetNanos) {
            if (ready.getAsBoolean()) {
                return true;
            }
            if (spent < BUSY_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a busy thread on this core runs now; an idle core returns at once
            }
            spent = nanoTime.getAsLong() - start;
        }
        return ready.getAsBoolean();
    }

    /** A wait that ended in a park took {@code nanos} in all: whether the next wait is worth a spin. */
    public void waited(long nanos) {
        spinNext = nanos <= 2 * budgetNanos;
    }

    /** Whether the next {@link #spin} will spin (for tests). */
    boolean willSpin() {
        return spinNext && budgetNanos > 0;
    }
}
