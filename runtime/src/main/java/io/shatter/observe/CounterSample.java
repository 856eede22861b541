package io.shatter.observe;

import io.shatter.CapacityClass;

/**
 * Capacity, busy cores and queue length at one instant.
 *
 * @param atNanos     when, from the run's start on the broker's clock
 * @param readyShards shards ready to run and waiting for a core
 * @param cores       cores of the ranks that take work, by {@link CapacityClass#ordinal()}
 * @param busyCores   cores held by attempts, by {@link CapacityClass#ordinal()}
 */
public record CounterSample(long atNanos, int readyShards, int[] cores, int[] busyCores) {

    /** Cores of the ranks of {@code c} that take work. */
    public int cores(CapacityClass c) {
        return cores[c.ordinal()];
    }

    /** Cores of {@code c} held by attempts. */
    public int busyCores(CapacityClass c) {
        return busyCores[c.ordinal()];
    }
}
