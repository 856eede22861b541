package io.shatter.decompose;

import io.shatter.Shard;

/** Where the current value of a {@link Data} comes from. */
sealed interface Version {

    /** A value every rank holds: given by the program, or awaited from an earlier part of a growing graph. */
    record Known(byte[] bytes) implements Version {
    }

    /** Slot {@code slot} of the output of a shard recorded in the graph being built. */
    record Produced(Shard<Slots> shard, int slot) implements Version {
    }
}
