package io.shatter;

/**
 * The body of a {@code parallelFor}: computes a partial result over one block of the index range.
 * The broker decides how many blocks one attempt covers (adaptive granularity), but blocks
 * themselves are fixed, and partial results are combined block by block in index order, so the
 * result does not depend on how the range was split.
 *
 * @param <T> the partial and final result type
 */
@FunctionalInterface
public interface RangeBody<T> {

    /** The partial result over indices {@code [from, to)}. */
    T compute(long from, long to, ShardContext context) throws Exception;
}
