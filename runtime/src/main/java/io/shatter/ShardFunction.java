package io.shatter;

/**
 * The body of a plain shard: reads its inputs from the context and returns its output. A plain
 * shard that is revoked or lost restarts from scratch, so long work should be {@link Resumable}.
 *
 * @param <T> the output type
 */
@FunctionalInterface
public interface ShardFunction<T> {

    /** Computes the shard's output. Any exception fails this attempt (and is retried within the budget). */
    T compute(ShardContext context) throws Exception;
}
