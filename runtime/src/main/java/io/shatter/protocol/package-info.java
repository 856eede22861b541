/**
 * The wire protocol between broker and workers: messages encoded as varints and length-prefixed
 * bytes (never Java serialization), and their decoders, which check every count and length
 * against the bytes left before allocating and fail only with {@link io.shatter.protocol.ProtocolException}.
 * Assignments and results travel packed per batch ({@link io.shatter.protocol.PackedAssignments},
 * {@link io.shatter.protocol.PackedResults}): one message for a run of attempts, not one per attempt.
 */
package io.shatter.protocol;
