package io.shatter.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for frames: unsigned varints for counts and ids (most are small), raw
 * bytes for payloads. Reused across frames to keep the broker's hot path free of allocation.
 */
public final class WireWriter {
    /** Frames above this size that fill their buffer exactly are handed over, not copied. */
    private static final int HAND_OVER_BYTES = 1 << 20;
    private byte[] buffer;
    private int size;
    private int messages;

    /** A writer with {@code capacity} bytes to start with. */
    public WireWriter(int capacity) {
        buffer = new byte[Math.max(16, capacity)];
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** Messages started since the last {@link #reset()}. */
    public int messages() {
        return messages;
    }

    /** Whether nothing was written since the last reset. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Begins a message of the given type. */
    public WireWriter message(int type) {
        messages++;
        return writeByte(type);
    }

    /** Appends one byte. */
    public WireWriter writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
        return this;
    }

    /** Appends an unsigned varint (7 bits a byte). */
    public WireWriter writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[size++] = (byte) value;
        return this;
    }

    /** Appends a non-negative int as a varint. */
    public WireWriter writeVarInt(int value) {
        return writeVarLong(value & 0xFFFFFFFFL);
    }

    /** Appends a signed long, zig-zag encoded so that small negatives stay short. */
    public WireWriter writeSignedVarLong(long value) {
        return writeVarLong((value << 1) ^ (value >> 63));
    }

    /** Appends a length-prefixed byte array. */
    public WireWriter writeBytes(byte[] bytes) {
        writeVarInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Appends a length-prefixed UTF-8 string. */
    public WireWriter writeString(String text) {
        return writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Copies what was written into {@code target} from {@code offset} on (no intermediate array). */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(buffer, 0, target, offset, size);
    }

    /**
     * The frame to send. When a large payload filled the buffer exactly (see {@link #ensure}), the
     * buffer itself is handed over instead of copied: a 64 MiB checkpoint costs one copy, not three.
     */
    public byte[] toFrame() {
        if (size == buffer.length && size > HAND_OVER_BYTES) {
            byte[] frame = buffer;
            buffer = new byte[1 << 16];
            return frame;
        }
        return Arrays.copyOf(buffer, size);
    }

    /** Forgets what was written, keeping the buffer (shrunk if one huge frame grew it). */
    public void reset() {
        size = 0;
        messages = 0;
        if (buffer.length > 1 << 24) {
            buffer = new byte[1 << 16];
        }
    }

    private void ensure(int extra) {
        if (size + extra > buffer.length) {
            // A payload larger than the buffer gets exactly the room it needs: it usually ends its
            // frame, so toFrame() can then hand the buffer over without a copy or doubling waste.
            long wanted = extra > buffer.length ? (long) size + extra : Math.max((long) buffer.length * 2, (long) size + extra);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("frame larger than 2 GiB");
            }
            buffer = Arrays.copyOf(buffer, (int) wanted);
        }
    }
}
