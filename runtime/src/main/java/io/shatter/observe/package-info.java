/**
 * What a run did, over time, as plain records: one {@link io.shatter.observe.Slice} per attempt on
 * the core lane that ran it (stamped by the worker, mapped to the broker's timebase), instants
 * ({@link io.shatter.observe.Mark}) for revocations, preemption requests and losses, checkpoints,
 * and samples of capacity, busy cores and ready shards. {@link io.shatter.RunResult#timeline()}
 * returns it when {@link io.shatter.RunConfig.Builder#recordTrace(boolean)} is on; the
 * {@code shatter-report} module writes it as a Perfetto trace and an HTML report.
 */
package io.shatter.observe;
