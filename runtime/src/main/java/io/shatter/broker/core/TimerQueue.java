package io.shatter.broker.core;

import java.util.PriorityQueue;

/** The core's timers, by due time then arming order; each carries what it was armed for. */
final class TimerQueue {
    private record Armed(long at, long sequence, TimerKey key) implements Comparable<Armed> {
        @Override
        public int compareTo(Armed other) {
            int c = Long.compare(at, other.at);
            return c != 0 ? c : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Armed> queue = new PriorityQueue<>();
    private long sequence;

    void arm(long at, TimerKey key) {
        queue.add(new Armed(at, sequence++, key));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    long nextAt() {
        return queue.peek().at();
    }

    TimerKey poll() {
        return queue.poll().key();
    }
}
