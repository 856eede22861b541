/**
 * A discrete-event simulator around the production broker core ({@code io.shatter.broker.core.BrokerCore}):
 * one thread, a time-ordered event queue, simulated ranks that run shards for modelled durations
 * and honour preemption, revocation with its grace and cancellation exactly as the real worker
 * does, a modelled checkpoint store (state size over bandwidth, one IO queue like the broker's IO
 * thread), and the production event sources ({@code ChaosRevoker}, {@code CapacityFeedPoller} over
 * a {@code TraceReplay} of a real workload log) on the simulated clock.
 *
 * <p>Nothing here decides scheduling: every decision is the core's, so a policy question can be
 * answered at 10,000 ranks with the classes that ship. No shard body runs: outputs are placeholder
 * bytes, so the simulator reproduces schedules and their figures, not results. Every random draw is
 * a hash of the seed and what it is about (shard, attempt), so the same seed gives the same run
 * whatever the order of events.
 */
package io.shatter.simulator;
