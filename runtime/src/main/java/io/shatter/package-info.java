/**
 * Shatter's API: build a {@link io.shatter.ShardGraph} of shards (plain, resumable, range) with
 * priorities, cores and dependencies, and {@link io.shatter.Shatter#run run} it; on rank 0 the run
 * becomes the broker, on every other rank the worker loop. Also the run's configuration
 * ({@link io.shatter.RunConfig}), its result and summary, codecs and the errors a user sees.
 */
package io.shatter;
