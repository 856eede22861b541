package io.shatter.decompose;

import io.shatter.Codec;
import io.shatter.Shard;

/**
 * Where the current value of a {@link Data} comes from. A version is also the source a reading
 * shard gets the value from, so recording a read allocates nothing.
 */
sealed interface Version extends Source {

    /** A value every rank holds: given by the program, or awaited from an earlier part of a growing graph. */
    record Known(byte[] bytes, Codec<?> codec) implements Version {
    }

    /** Slot {@code slot} of the output of a shard recorded in the graph being built. */
    record Produced(Shard<Slots> shard, int slot, Codec<?> codec) implements Version {
    }
}
