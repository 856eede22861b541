package io.shatter.simulator;

import java.util.Arrays;

/**
 * What happens next, in time order; ties in the order they were scheduled, which makes a run
 * deterministic. A binary heap over parallel arrays: at a million shards the simulator schedules
 * millions of happenings, and boxing each into a comparable object would cost more than the core.
 */
final class EventQueue {
    private long[] times = new long[1024];
    private long[] sequences = new long[1024];
    private Runnable[] actions = new Runnable[1024];
    private int size;
    private long nextSequence;

    void at(long time, Runnable action) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            sequences = Arrays.copyOf(sequences, size * 2);
            actions = Arrays.copyOf(actions, size * 2);
        }
        int i = size++;
        long seq = nextSequence++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(time, seq, times[parent], sequences[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        times[i] = time;
        sequences[i] = seq;
        actions[i] = action;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The time of the next happening, or {@link Long#MAX_VALUE} if none. */
    long nextTime() {
        return size == 0 ? Long.MAX_VALUE : times[0];
    }

    /** Removes and returns the next happening. */
    Runnable poll() {
        Runnable first = actions[0];
        int last = --size;
        long t = times[last];
        long s = sequences[last];
        Runnable a = actions[last];
        actions[last] = null;
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(times[child + 1], sequences[child + 1], times[child], sequences[child])) {
                child++;
            }
            if (!before(times[child], sequences[child], t, s)) {
                break;
            }
            move(child, i);
            i = child;
        }
        if (size > 0) {
            times[i] = t;
            sequences[i] = s;
            actions[i] = a;
        }
        return first;
    }

    private void move(int from, int to) {
        times[to] = times[from];
        sequences[to] = sequences[from];
        actions[to] = actions[from];
    }

    private static boolean before(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }
}
