package io.shatter;

/**
 * A handle to a shard of a {@link ShardGraph}: pass it to another shard's
 * {@link ShardGraph.ShardBuilder#inputs inputs} to make a dependency, read its value inside a
 * shard with {@link ShardContext#input}, and its result after a run with {@link RunResult#get}.
 *
 * @param <T> the type of the shard's output
 */
public final class Shard<T> {
    private final String id;
    private final int index;
    private final Codec<T> codec;
    private final Object owner;

    Shard(String id, int index, Codec<T> codec, Object owner) {
        this.id = id;
        this.index = index;
        this.codec = codec;
        this.owner = owner;
    }

    /** The shard's stable id, unique within its graph. */
    public String id() {
        return id;
    }

    /** Position in declaration order; the same on every rank that builds the same graph. */
    public int index() {
        return index;
    }

    /** The codec of the shard's output. */
    public Codec<T> codec() {
        return codec;
    }

    Object owner() {
        return owner;
    }

    @Override
    public String toString() {
        return "Shard[" + id + "]";
    }
}
