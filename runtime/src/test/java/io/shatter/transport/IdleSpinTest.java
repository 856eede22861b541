package io.shatter.transport;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spin's bounds and its adaptation, on a clock the test moves (every look advances it 1 µs). */
class IdleSpinTest {
    private final AtomicLong now = new AtomicLong();

    private IdleSpin spinOf(long budgetNanos) {
        return new IdleSpin(budgetNanos, () -> now.addAndGet(1_000));
    }

    @Test
    void returnsAsSoonAsTheMessageIsThere() {
        IdleSpin spin = spinOf(50_000);
        AtomicInteger looks = new AtomicInteger();
        assertTrue(spin.spin(() -> looks.incrementAndGet() >= 3));
        assertEquals(3, looks.get());
    }

    @Test
    void givesUpAfterItsBudget() {
        IdleSpin spin = spinOf(50_000);
        AtomicInteger looks = new AtomicInteger();
        long start = now.get();
        assertFalse(spin.spin(() -> {
            looks.incrementAndGet();
            return false;
        }));
        long spent = now.get() - start;
        assertTrue(spent >= 50_000 && spent <= 53_000, "spun " + spent + " ns for a 50 µs budget");
        assertEquals(51, looks.get()); // one look per microsecond, and a last one at the end
    }

    @Test
    void aLongWaitTurnsSpinningOffUntilAShortOneIsSeen() {
        IdleSpin spin = spinOf(50_000);
        spin.waited(1_000_000); // a millisecond shard's wait
        assertFalse(spin.willSpin());
        AtomicInteger looks = new AtomicInteger();
        assertFalse(spin.spin(() -> {
            looks.incrementAndGet();
            return false;
        }));
        assertEquals(1, looks.get(), "looks once and parks at once");
        spin.waited(80_000); // short again: within twice the budget
        assertTrue(spin.willSpin());
    }

    @Test
    void aZeroBudgetNeverSpins() {
        IdleSpin spin = spinOf(0);
        assertFalse(spin.willSpin());
        AtomicInteger looks = new AtomicInteger();
        assertFalse(spin.spin(() -> looks.incrementAndGet() > 1));
        assertEquals(1, looks.get());
        assertThrows(IllegalArgumentException.class, () -> new IdleSpin(-1, System::nanoTime));
    }
}
