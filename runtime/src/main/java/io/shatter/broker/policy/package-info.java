/**
 * Placement: where a ready shard runs ({@link io.shatter.broker.policy.PlacementPolicy}, with
 * DESIGN.md's rule in {@link io.shatter.broker.policy.DefaultPlacementPolicy}), given read-only views
 * of the ranks and the capacity forecast. Pure functions of those views: no state of their own
 * between calls, no IO, and a cost that does not grow with the rank count.
 */
package io.shatter.broker.policy;
