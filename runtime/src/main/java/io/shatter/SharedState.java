package io.shatter;

import java.util.function.UnaryOperator;

/**
 * A small versioned key-value store held by the broker, for the little state that shards must
 * share: a best-so-far bound, a convergence flag, a counter. Every write is an optimistic
 * compare-and-set on the key's version, so concurrent shards on any ranks never lose an update.
 *
 * <p>Each call is a round trip to the broker: keep values small and calls rare (per shard, not
 * per inner-loop iteration). Writes are transactional per attempt and exactly once: an attempt
 * sees its own writes, others see them only once its result commits; at the commit the versions
 * it read are validated, and if one changed the result is discarded and the shard runs again;
 * else the writes are applied with the result and journaled with it, so a resumed run restores
 * them. An attempt that does not commit (failed, lost, preempted, beaten by its shadow) leaves no
 * trace. A resumable shard's transaction travels with its checkpoints (in the broker's memory:
 * after a broker restart, its uncommitted writes from before the checkpoint it resumes from are
 * lost, never doubled).
 */
public interface SharedState {

    /**
     * A key's value and version.
     *
     * @param version 0 for a key never set, then 1, 2, ... one per applied write
     * @param value   the encoded value (empty for a key never set)
     */
    record Entry(long version, byte[] value) {
        /** Whether the key has ever been set. */
        public boolean isSet() {
            return version > 0;
        }
    }

    /** The key's current value and version. */
    Entry get(String key);

    /**
     * Sets {@code key} to {@code value} if its version, as this attempt sees it, is still
     * {@code expectedVersion} (0 for "never set"); returns whether it was applied to the attempt's
     * transaction (which commits with its result).
     */
    boolean compareAndSet(String key, long expectedVersion, byte[] value);

    /** The key's value decoded, or {@code absent} if it was never set. */
    default <T> T get(String key, Codec<T> codec, T absent) {
        Entry e = get(key);
        return e.isSet() ? codec.decode(e.value()) : absent;
    }

    /**
     * Applies {@code update} to the key's value ({@code initial} if never set) and stores the result,
     * retrying on concurrent writes until it applies; returns the value stored. {@code update} may
     * run several times, so it must have no side effects.
     */
    default <T> T update(String key, Codec<T> codec, T initial, UnaryOperator<T> update) {
        while (true) {
            Entry e = get(key);
            T next = update.apply(e.isSet() ? codec.decode(e.value()) : initial);
            if (compareAndSet(key, e.version(), codec.encode(next))) {
                return next;
            }
        }
    }
}
