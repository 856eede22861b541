package io.shatter;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Ready-made {@link Codec}s: bytes, strings, boxed and array primitives, and compositions (lists,
 * pairs, and records through {@link #map}). All are little-endian, length-prefixed and checked:
 * malformed bytes raise {@link IllegalArgumentException}, never garbage.
 */
public final class Codecs {
    private Codecs() {
    }

    /** Bytes as they are. */
    public static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return value.clone();
        }

        @Override
        public byte[] decode(ByteBuffer bytes) {
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        }
    };

    /** No value: for shards run for their side effects. Encodes to zero bytes and decodes to null. */
    public static final Codec<Void> NONE = new Codec<>() {
        @Override
        public byte[] encode(Void value) {
            return new byte[0];
        }

        @Override
        public Void decode(ByteBuffer bytes) {
            return null;
        }
    };

    /** UTF-8 text. */
    public static final Codec<String> STRING = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(ByteBuffer bytes) {
            byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            return new String(raw, StandardCharsets.UTF_8);
        }
    };

    /** A double, bit for bit (NaN payloads and -0.0 included). */
    public static final Codec<Double> DOUBLE = fixed(8, (b, v) -> b.putDouble(v), ByteBuffer::getDouble);
    /** A long. */
    public static final Codec<Long> LONG = fixed(8, (b, v) -> b.putLong(v), ByteBuffer::getLong);
    /** An int. */
    public static final Codec<Integer> INT = fixed(4, (b, v) -> b.putInt(v), ByteBuffer::getInt);

    /** A double array, copied in bulk. */
    public static final Codec<double[]> DOUBLES = new Codec<>() {
        @Override
        public byte[] encode(double[] value) {
            ByteBuffer b = allocate(4 + 8L * value.length);
            b.putInt(value.length);
            b.asDoubleBuffer().put(value);
            return b.array();
        }

        @Override
        public double[] decode(ByteBuffer bytes) {
            double[] out = new double[checkedLength(bytes, 8)];
            bytes.order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
            bytes.position(bytes.position() + out.length * 8);
            return out;
        }
    };

    /** A float array, copied in bulk. */
    public static final Codec<float[]> FLOATS = new Codec<>() {
        @Override
        public byte[] encode(float[] value) {
            ByteBuffer b = allocate(4 + 4L * value.length);
            b.putInt(value.length);
            b.asFloatBuffer().put(value);
            return b.array();
        }

        @Override
        public float[] decode(ByteBuffer bytes) {
            float[] out = new float[checkedLength(bytes, 4)];
            bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            bytes.position(bytes.position() + out.length * 4);
            return out;
        }
    };

    /** A long array, copied in bulk. */
    public static final Codec<long[]> LONGS = new Codec<>() {
        @Override
        public byte[] encode(long[] value) {
            ByteBuffer b = allocate(4 + 8L * value.length);
            b.putInt(value.length);
            b.asLongBuffer().put(value);
            return b.array();
        }

        @Override
        public long[] decode(ByteBuffer bytes) {
            long[] out = new long[checkedLength(bytes, 8)];
            bytes.order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            bytes.position(bytes.position() + out.length * 8);
            return out;
        }
    };

    /** An int array, copied in bulk. */
    public static final Codec<int[]> INTS = new Codec<>() {
        @Override
        public byte[] encode(int[] value) {
            ByteBuffer b = allocate(4 + 4L * value.length);
            b.putInt(value.length);
            b.asIntBuffer().put(value);
            return b.array();
        }

        @Override
        public int[] decode(ByteBuffer bytes) {
            int[] out = new int[checkedLength(bytes, 4)];
            bytes.order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
            bytes.position(bytes.position() + out.length * 4);
            return out;
        }
    };

    /** A list whose elements use {@code element}; each element is length-prefixed. */
    public static <T> Codec<List<T>> listOf(Codec<T> element) {
        return new Codec<>() {
            @Override
            public byte[] encode(List<T> value) {
                List<byte[]> parts = new ArrayList<>(value.size());
                long size = 4;
                for (T item : value) {
                    byte[] part = element.encode(item);
                    parts.add(part);
                    size += 4 + part.length;
                }
                ByteBuffer b = allocate(size);
                b.putInt(parts.size());
                for (byte[] part : parts) {
                    b.putInt(part.length).put(part);
                }
                return b.array();
            }

            @Override
            public List<T> decode(ByteBuffer bytes) {
                int n = checkedLength(bytes, 4);
                List<T> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(element.decode(slice(bytes)));
                }
                return Collections.unmodifiableList(out);
            }
        };
    }

    /** A pair of values, each with its own codec. */
    public static <A, B> Codec<Map.Entry<A, B>> pair(Codec<A> first, Codec<B> second) {
        return new Codec<>() {
            @Override
            public byte[] encode(Map.Entry<A, B> value) {
                byte[] a = first.encode(value.getKey());
                byte[] b = second.encode(value.getValue());
                return allocate(8L + a.length + b.length).putInt(a.length).put(a).putInt(b.length).put(b).array();
            }

            @Override
            public Map.Entry<A, B> decode(ByteBuffer bytes) {
                A a = first.decode(slice(bytes));
                B b = second.decode(slice(bytes));
                return Map.entry(a, b);
            }
        };
    }

    /**
     * A codec for {@code T} through another type: for records and classes, map them to a
     * composition of the codecs above (for example a pair, or a list of arrays) and back.
     */
    public static <T, R> Codec<T> map(Codec<R> representation, Function<T, R> toRepresentation, Function<R, T> fromRepresentation) {
        return new Codec<>() {
            @Override
            public byte[] encode(T value) {
                return representation.encode(toRepresentation.apply(value));
            }

            @Override
            public T decode(ByteBuffer bytes) {
                return fromRepresentation.apply(representation.decode(bytes));
            }
        };
    }

    private static <T> Codec<T> fixed(int size, BiFunction<ByteBuffer, T, ByteBuffer> put, Function<ByteBuffer, T> get) {
        return new Codec<>() {
            @Override
            public byte[] encode(T value) {
                return put.apply(allocate(size), value).array();
            }

            @Override
            public T decode(ByteBuffer bytes) {
                if (bytes.remaining() < size) {
                    throw new IllegalArgumentException("expected " + size + " bytes, found " + bytes.remaining());
                }
                return get.apply(bytes.order(ByteOrder.LITTLE_ENDIAN));
            }
        };
    }

    private static ByteBuffer allocate(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("value too large to encode in one piece: " + size + " bytes");
        }
        return ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int checkedLength(ByteBuffer bytes, int elementSize) {
        bytes.order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.remaining() < 4) {
            throw new IllegalArgumentException("truncated: no length prefix");
        }
        int n = bytes.getInt();
        if (n < 0 || (long) n * elementSize > bytes.remaining()) {
            throw new IllegalArgumentException("corrupt length " + n + " with " + bytes.remaining() + " bytes left");
        }
        return n;
    }

    private static ByteBuffer slice(ByteBuffer bytes) {
        int length = checkedLength(bytes, 1);
        try {
            ByteBuffer part = bytes.slice(bytes.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.position(bytes.position() + length);
            return part;
        } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated element", e);
        }
    }
}
