package io.shatter.broker.core;

import io.shatter.SharedState;

import java.util.HashMap;
import java.util.Map;

/** The run's shared key-value store ({@link SharedState}), held by the broker: versioned, compare-and-set. */
final class SharedStore {
    /** What a key never set reads as. */
    private static final SharedState.Entry UNSET = new SharedState.Entry(0, new byte[0]);

    private final Map<String, SharedState.Entry> entries = new HashMap<>();

    Command.SharedReply get(Event.SharedGet e) {
        SharedState.Entry entry = entries.getOrDefault(e.key(), UNSET);
        return new Command.SharedReply(e.rank(), e.requestId(), false, entry.version(), entry.value());
    }

    /** Optimistic concurrency: the write applies only if nobody wrote the key since the shard read it. */
    Command.SharedReply compareAndSet(Event.SharedCompareAndSet e) {
        SharedState.Entry entry = entries.getOrDefault(e.key(), UNSET);
        boolean applied = entry.version() == e.expectedVersion();
        if (applied) {
            entry = new SharedState.Entry(e.expectedVersion() + 1, e.value());
            entries.put(e.key(), entry);
        }
        return new Command.SharedReply(e.rank(), e.requestId(), applied, entry.version(), entry.value());
    }
}
