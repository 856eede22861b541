package io.shatter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link WireWriter} wrote, refusing truncated or oversized fields with a clear error. */
public final class WireReader {
    private final byte[] frame;
    private int position;

    /** A reader over a whole frame. */
    public WireReader(byte[] frame) {
        this.frame = frame;
    }

    /** Whether bytes remain. */
    public boolean hasMore() {
        return position < frame.length;
    }

    /** Bytes not read yet. */
    public int remaining() {
        return frame.length - position;
    }

    /**
     * A count of items that follow, each at least {@code minBytesEach} bytes long: refused before
     * anything is allocated for them if the bytes left cannot hold that many, so a claimed count
     * never sizes an allocation beyond the frame itself.
     */
    public int readCount(int minBytesEach) {
        int count = readVarInt();
        if ((long) count * Math.max(1, minBytesEach) > remaining()) {
            throw new ProtocolException("a count of " + count + " items at byte " + position + " but only " + remaining()
                    + " bytes left");
        }
        return count;
    }

    /** One byte, unsigned. */
    public int readByte() {
        if (position >= frame.length) {
            throw new ProtocolException("frame truncated at byte " + position);
        }
        return frame[position++] & 0xFF;
    }

    /** An unsigned varint. */
    public long readVarLong() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new ProtocolException("varint longer than 64 bits at byte " + position);
    }

    /** A varint that must fit a non-negative int. */
    public int readVarInt() {
        long value = readVarLong();
        if (value < 0 || value > Integer.MAX_VALUE) { // a 10-byte varint may set the sign bit
            throw new ProtocolException("value " + Long.toUnsignedString(value) + " out of range at byte " + position);
        }
        return (int) value;
    }

    /** A zig-zag encoded signed long. */
    public long readSignedVarLong() {
        long raw = readVarLong();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A length-prefixed byte array (copied). */
    public byte[] readBytes() {
        int length = readVarInt();
        if (length > frame.length - position) {
            throw new ProtocolException("field of " + length + " bytes but only " + (frame.length - position) + " left");
        }
        byte[] out = Arrays.copyOfRange(frame, position, position + length);
        position += length;
        return out;
    }

    /** A length-prefixed UTF-8 string. */
    public String readString() {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }
}
