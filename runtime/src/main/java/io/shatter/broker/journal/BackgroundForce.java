package io.shatter.broker.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Forces the journal to the device on a thread of its own, so that the broker's loop goes on
 * placing and committing while the device syncs: an {@code fdatasync} takes 3 to 22 ms on this
 * machine's disk under load (and longer on network file systems), which is longer than a rank's
 * queue of work then lasted (10 ms), so a force on the broker's thread left the workers idle once a
 * second. One force at a time; a failure is thrown at the next {@link #start} or {@link #check}.
 */
final class BackgroundForce {
    /** The blocking force itself: {@code FileChannel.force} and, the first time, the directory's. */
    @FunctionalInterface
    interface Sync {
        void run() throws IOException;
    }

    private ExecutorService thread;
    private Future<?> running;

    /**
     * Starts {@code sync} unless a force is still running (then returns false: it is tried again
     * later). Throws the failure of the force before it, if that one failed.
     */
    boolean start(Sync sync) throws IOException {
        if (running != null) {
            if (!running.isDone()) {
                return false;
            }
            collect();
        }
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "shatter-journal-force");
                t.setDaemon(true);
                return t;
            });
        }
        running = thread.submit(() -> {
            try {
                sync.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return true;
    }

    /** Throws the failure of the last force if it has ended in one (and forgets it); returns at once otherwise. */
    void check() throws IOException {
        if (running != null && running.isDone()) {
            collect();
        }
    }

    /** Waits for the running force, if any, and throws its failure; then lets the thread go. */
    void finish() throws IOException {
        try {
            if (running != null) {
                collect();
            }
        } finally {
            if (thread != null) {
                thread.shutdown();
                thread = null;
            }
        }
    }

    private void collect() throws IOException {
        Future<?> done = running;
        running = null;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    done.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the force must end before the journal is used further: wait on
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException("forcing the journal failed: " + cause, cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
