/**
 * The broker's shell on rank 0: the loop thread that owns the decision core, turns transport frames,
 * lost peers and effect completions into the core's events, and carries out its commands (wire
 * frames, checkpoint IO off the loop, journal writes and forces on the injected clock, range
 * reductions, excess-worker requests); plus the event sources beside the workers: fault injection
 * ({@code --revoke-every}) and capacity feeds.
 *
 * <p>May touch IO, threads and the wire; decides nothing about scheduling: that is
 * {@link io.shatter.broker.core}, with placement in {@link io.shatter.broker.policy}.
 */
package io.shatter.broker;
