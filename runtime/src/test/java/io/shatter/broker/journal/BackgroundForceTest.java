package io.shatter.broker.journal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal's force off the broker's thread: the caller never waits for a slow device, one force at a time, failures reported. */
class BackgroundForceTest {
    private static final long DEADLINE_SECONDS = 10;

    @Test
    void aSlowForceDoesNotHoldTheCallerAndASecondWaitsForIt() throws Exception {
        BackgroundForce force = new BackgroundForce();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch device = new CountDownLatch(1);
        AtomicInteger forces = new AtomicInteger();
        assertTrue(force.start(() -> {
            started.countDown();
            forces.incrementAndGet();
            awaitOrFail(device);
        }));
        assertTrue(started.await(DEADLINE_SECONDS, TimeUnit.SECONDS), "the force ran on its own thread");
        // The device is still syncing: the caller goes on, and no second force is queued behind the first.
        force.check();
        assertFalse(force.start(forces::incrementAndGet));
        device.countDown();
        force.finish();
        assertEquals(1, forces.get());
    }

    @Test
    void aFailedForceIsThrownToTheCallerOnce() throws Exception {
        BackgroundForce force = new BackgroundForce();
        assertTrue(force.start(() -> {
            throw new IOException("No space left on device");
        }));
        IOException thrown = assertThrows(IOException.class, force::finish);
        assertEquals("No space left on device", thrown.getMessage());
        assertDoesNotThrow(force::finish);
    }

    @Test
    void aFailureSurfacesAtTheNextCheckOrStart() throws Exception {
        BackgroundForce force = new BackgroundForce();
        CountDownLatch failed = new CountDownLatch(1);
        force.start(() -> {
            failed.countDown();
            throw new IOException("Input/output error");
        });
        assertTrue(failed.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        IOException thrown = assertThrows(IOException.class, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            while (System.nanoTime() < deadline) {
                force.check(); // the future completes just after the body threw
                Thread.onSpinWait();
            }
        });
        assertEquals("Input/output error", thrown.getMessage());
        AtomicInteger forces = new AtomicInteger();
        assertTrue(force.start(forces::incrementAndGet), "after the failure was reported a new force may start");
        force.finish();
        assertEquals(1, forces.get());
    }

    private static void awaitOrFail(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("test device never released");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }
}
