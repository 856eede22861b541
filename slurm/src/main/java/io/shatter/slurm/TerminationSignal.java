package io.shatter.slurm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SIGTERM as Slurm sends it on preemption: "checkpoint now and leave". The handler replaces the
 * JVM's default (which would exit at once) and hands control to the worker, which saves its running
 * shards, reports to the broker and exits 0 before Slurm's SIGKILL ({@code KillWait} seconds later
 * on the local Slurm; see scripts/README.md).
 */
public final class TerminationSignal {
    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignal.class);
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private TerminationSignal() {
    }

    /**
     * Runs {@code onTerminate} once, on its own thread, when this process receives SIGTERM. The
     * action must end the process itself (normally by letting the worker finish); a second SIGTERM
     * is ignored. May be installed once per process.
     */
    public static void install(Runnable onTerminate) {
        if (!INSTALLED.compareAndSet(false, true)) {
            throw new IllegalStateException("a SIGTERM handler is already installed in this process");
        }
        AtomicBoolean fired = new AtomicBoolean();
        Signal.handle(new Signal("TERM"), signal -> {
            if (fired.compareAndSet(false, true)) {
                LOG.info("SIGTERM: saving running shards and leaving");
                Thread t = new Thread(onTerminate, "shatter-sigterm");
                t.setDaemon(false);
                t.start();
            }
        });
    }
}
