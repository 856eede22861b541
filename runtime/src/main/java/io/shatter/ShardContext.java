package io.shatter;

import java.util.concurrent.ExecutorService;

/**
 * What a running shard can see: its inputs, its cores, and where it runs. One context per attempt.
 */
public interface ShardContext {

    /**
     * The output of an input shard, decoded. Only shards passed to {@code inputs(...)} are readable.
     * Each call decodes the bytes again (the worker keeps only bytes, so that several attempts can
     * share them): read an input once into a local variable, not inside a loop.
     */
    <T> T input(Shard<T> shard);

    /** The shard's id (for a range shard, the id of the whole range). */
    String shardId();

    /** The attempt number, from 1. A retried, preempted or revoked shard runs again as a new attempt. */
    int attempt();

    /** The rank the attempt runs on. */
    int rank();

    /** The capacity class of that rank. */
    CapacityClass capacityClass();

    /** Cores the shard asked for. */
    int cores();

    /**
     * A pool with {@link #cores()} threads for parallel work inside the shard (the JVM's answer to
     * OpenMP). Shared by the shards of a rank that ask for the same number of cores; do not shut it down.
     */
    ExecutorService pool();

    /**
     * True once the broker no longer wants this attempt (cancelled, or its rank revoked). Long plain
     * shards may poll it and return early; their result is dropped anyway.
     */
    boolean isCancelled();

    /** The run's shared key-value store, held by the broker (see {@link SharedState} for when to use it). */
    SharedState shared();
}
