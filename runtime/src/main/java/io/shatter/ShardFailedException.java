package io.shatter;

/**
 * A shard failed on every attempt its retry budget allowed, so the run stopped. Names the shard
 * and gives the last attempt's error; work already committed is reported in {@link #summary()}.
 */
public final class ShardFailedException extends ShatterException {
    private final String shardId;
    private final String causeDescription;

    /**
     * @param shardId          the failing shard
     * @param causeDescription the last attempt's error, as reported by the rank that ran it
     * @param attempts         how many attempts were made
     */
    public ShardFailedException(String shardId, String causeDescription, int attempts) {
        super("shard '" + shardId + "' failed after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                + ": " + causeDescription);
        this.shardId = shardId;
        this.causeDescription = causeDescription;
    }

    /** The failing shard's id. */
    public String shardId() {
        return shardId;
    }

    /** The last attempt's error. */
    public String causeDescription() {
        return causeDescription;
    }
}
