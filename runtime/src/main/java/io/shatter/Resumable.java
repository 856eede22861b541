package io.shatter;

/**
 * The body of a resumable shard: explicit state plus a step. Between two steps is a safepoint,
 * where the worker may save the state to a checkpoint, hand the slot to more urgent work, or
 * leave a revoked rank; the shard then resumes from the saved state on another rank. Results are
 * the same however often that happens, provided {@code step} depends only on the state and the
 * inputs.
 *
 * @param <S> the state type (encoded with the shard's state codec at every checkpoint)
 * @param <T> the output type
 */
public interface Resumable<S, T> {

    /** The state before the first step, built from the inputs. */
    S start(ShardContext context) throws Exception;

    /** Advances the state by one step; may return the same (mutated) object or a new one. */
    S step(S state, ShardContext context) throws Exception;

    /** Whether no step remains. */
    boolean isDone(S state);

    /** The output, from the final state. */
    T finish(S state, ShardContext context) throws Exception;
}
