/**
 * The wire protocol between broker and workers: messages encoded as varints and length-prefixed
 * bytes (never Java serialization), and their decoders.
 */
package io.shatter.protocol;
