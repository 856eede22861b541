/**
 * The broker's decision core, all of the scheduling logic: DAG readiness, placement through the
 * policy, rank membership and revocation, range carving, shadows, the checkpoint queue, commits and
 * journal replay, shared state, capacity following and excess-worker requests, automatic batching
 * of assignments ({@code BatchSizing}, {@code AssignmentBatcher}), the run's figures.
 * Typed {@link io.shatter.broker.core.Event}s in, typed {@link io.shatter.broker.core.Command}s out,
 * the time passed in by the caller.
 *
 * <p>Owns all scheduling state and may not touch: threads ({@code java.util.concurrent}), IO
 * ({@code java.io}, {@code java.nio}), the wall clock ({@code System.nanoTime},
 * {@code currentTimeMillis}), the wire protocol, or user code (shard bodies, codecs, reducers).
 * So the same classes run under the production loop, in deterministic property tests and in
 * simulations.
 *
 * <p>Layout: the hot state of each live task and each worker rank is a record of ints
 * ({@code TaskTable}, {@code RankColumns}), read
 * through named accessors on {@code Task} and {@code RankSlot}; the end of an attempt reads those two
 * records and no object, so that among 10,000 attempts in flight, ending in any order, it costs about
 * two cache misses rather than one per object it used to reach.
 */
package io.shatter.broker.core;
