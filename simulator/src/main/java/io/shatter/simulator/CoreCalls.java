package io.shatter.simulator;

import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Event;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The calls a simulation made to the broker core, in order: start, each event with its time,
 * each placement round. The core is deterministic, so replaying them into a fresh core (same
 * graph, settings, policy and forecaster state) makes the same decisions; timing that replay on
 * the thread's CPU clock measures the core alone, without the simulated ranks around it and
 * without time the thread spent waiting for a core on a busy machine.
 */
public final class CoreCalls {
    /** Stands for a placement round in {@link #calls}. */
    private static final Object DISPATCH = new Object();

    private final List<Object> calls = new ArrayList<>();
    private long[] times = new long[1 << 16];

    void handle(Event event, long now) {
        add(event, now);
    }

    void dispatch(long now) {
        add(DISPATCH, now);
    }

    private void add(Object call, long now) {
        if (calls.size() == times.length) {
            times = Arrays.copyOf(times, times.length * 2);
        }
        times[calls.size()] = now;
        calls.add(call);
    }

    /** Calls recorded. */
    public int size() {
        return calls.size();
    }

    /**
     * Replays every call into {@code core}, fresh (not started), and returns the CPU time the
     * replay took on this thread. Commands the core emits go wherever the core was told to send them.
     */
    public long replayCpuNanos(BrokerCore core) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        core.start(0);
        for (int i = 0; i < calls.size(); i++) {
            Object call = calls.get(i);
            if (call == DISPATCH) {
                core.dispatch(times[i]);
            } else {
                core.handle((Event) call, times[i]);
            }
        }
        return threads.getCurrentThreadCpuTime() - start;
    }
}
