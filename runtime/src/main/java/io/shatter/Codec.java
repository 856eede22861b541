package io.shatter;

import java.nio.ByteBuffer;

/**
 * Turns values into bytes and back, for shard inputs, outputs and checkpoint states. Codecs are
 * explicit on purpose: nothing in Shatter uses Java serialization, which is slow and lets whoever
 * writes the bytes run code on whoever reads them. See {@link Codecs} for ready-made ones.
 *
 * @param <T> the value type
 */
public interface Codec<T> {

    /** Encodes {@code value}; the result is owned by the caller. */
    byte[] encode(T value);

    /** Decodes bytes made by {@link #encode}; throws {@link IllegalArgumentException} on malformed input. */
    T decode(ByteBuffer bytes);

    /** Decodes a whole array. */
    default T decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }
}
