/**
 * Files only their owner may read: run directories (0700) and what goes into them (0600) — journals,
 * checkpoints, task outputs, the join token and certificate fingerprint — created with those
 * permissions, so there is no moment when another user could open them.
 */
package io.shatter.files;
