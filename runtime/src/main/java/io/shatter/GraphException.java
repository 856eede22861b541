package io.shatter;

import java.util.List;

/** A graph that cannot be run: a cycle, a dependency on a shard that does not exist, a duplicate id. */
public final class GraphException extends ShatterException {
    private final List<String> shards;

    /** A graph error naming the shards involved. */
    public GraphException(String message, List<String> shards) {
        super(message);
        this.shards = List.copyOf(shards);
    }

    /** The ids of the shards involved (the cycle, in order, for a cycle). */
    public List<String> shards() {
        return shards;
    }
}
