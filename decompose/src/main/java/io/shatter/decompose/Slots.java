package io.shatter.decompose;

import io.shatter.Codec;

import java.nio.ByteBuffer;

/**
 * The output of a recorded shard: one encoded value per slot (each written parameter, in parameter
 * order, then the return value). Decoding a {@code Slots} only wraps the bytes; a slot is decoded
 * on demand, so a reader of one slot pays for that slot alone. A shard with a single slot (most
 * kernels write one tile) outputs that value's bytes as they are ({@link #SINGLE}): no header, so
 * no copy of a large tile just to frame it; every reader knows the producer's codec from its handle.
 */
final class Slots {
    private final byte[] bytes;
    private final int[] offsets; // offsets[i]..offsets[i+1] is slot i

    private Slots(byte[] bytes, int[] offsets) {
        this.bytes = bytes;
        this.offsets = offsets;
    }

    /** Packs encoded values into one array: {@code [count][length...][bytes...]}. */
    static byte[] pack(byte[][] values) {
        int total = 4 + 4 * values.length;
        for (byte[] v : values) {
            total += v.length;
        }
        ByteBuffer out = ByteBuffer.allocate(total);
        out.putInt(values.length);
        for (byte[] v : values) {
            out.putInt(v.length);
        }
        for (byte[] v : values) {
            out.put(v);
        }
        return out.array();
    }

    int count() {
        return offsets.length - 1;
    }

    /** The encoded bytes of slot {@code i}. */
    byte[] raw(int i) {
        byte[] out = new byte[offsets[i + 1] - offsets[i]];
        System.arraycopy(bytes, offsets[i], out, 0, out.length);
        return out;
    }

    /** Slot {@code i}, decoded with {@code codec}. */
    <T> T decode(int i, Codec<T> codec) {
        return codec.decode(ByteBuffer.wrap(bytes, offsets[i], offsets[i + 1] - offsets[i]).slice());
    }

    /** The codec of recorded shards' outputs. */
    static final Codec<Slots> CODEC = new Codec<>() {
        @Override
        public byte[] encode(Slots value) {
            return value.bytes;
        }

        @Override
        public Slots decode(ByteBuffer in) {
            byte[] bytes;
            if (in.hasArray() && in.arrayOffset() == 0 && in.position() == 0 && in.remaining() == in.array().length) {
                bytes = in.array(); // the common case: the whole frame is ours, no copy
            } else {
                bytes = new byte[in.remaining()];
                in.get(bytes);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (bytes.length < 4) {
                throw new IllegalArgumentException("a shard output of " + bytes.length + " bytes is too short to hold its slot count");
            }
            int count = b.getInt();
            if (count < 0 || 4L + 4L * count > bytes.length) {
                throw new IllegalArgumentException("malformed shard output: " + count + " slots in " + bytes.length + " bytes");
            }
            int[] offsets = new int[count + 1];
            long at = 4L + 4L * count;
            for (int i = 0; i < count; i++) {
                offsets[i] = (int) at;
                at += b.getInt();
                if (at > bytes.length) {
                    throw new IllegalArgumentException("malformed shard output: slot " + i + " runs past its end");
                }
            }
            offsets[count] = (int) at;
            return new Slots(bytes, offsets);
        }
    };

    /** The codec of a shard with one slot: the value's own bytes. */
    static final Codec<Slots> SINGLE = new Codec<>() {
        @Override
        public byte[] encode(Slots value) {
            return value.bytes;
        }

        @Override
        public Slots decode(ByteBuffer in) {
            byte[] bytes;
            if (in.hasArray() && in.arrayOffset() == 0 && in.position() == 0 && in.remaining() == in.array().length) {
                bytes = in.array();
            } else {
                bytes = new byte[in.remaining()];
                in.get(bytes);
            }
            return new Slots(bytes, new int[] {0, bytes.length});
        }
    };

    /** The codec for a shard with {@code slots} slots. */
    static Codec<Slots> codecFor(int slots) {
        return slots == 1 ? SINGLE : CODEC;
    }

    /** The output made of these encoded values, framed as {@link #codecFor} their count expects. */
    static Slots of(byte[][] values) {
        if (values.length == 1) {
            return new Slots(values[0], new int[] {0, values[0].length});
        }
        return CODEC.decode(ByteBuffer.wrap(pack(values)));
    }
}
