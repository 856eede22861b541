/**
 * The worker loop on every rank but 0: runs assigned attempts on its cores, checkpoints resumable
 * shards at safepoints, yields when preempted or revoked, and reports results to the broker.
 */
package io.shatter.worker;
