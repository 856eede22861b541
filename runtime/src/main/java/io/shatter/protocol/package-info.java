/**
 * The wire protocol between broker and workers: messages encoded as varints and length-prefixed
 * bytes (never Java serialization), and their decoders, which check every count and length
 * against the bytes left before allocating and fail only with {@link io.shatter.protocol.ProtocolException}.
 */
package io.shatter.protocol;
