package io.shatter.graph;

import io.shatter.Codec;
import io.shatter.Priority;
import io.shatter.RangeBody;
import io.shatter.Resumable;
import io.shatter.ShardFunction;

import java.time.Duration;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Everything the broker and the workers know about one shard: a node of a validated
 * {@link io.shatter.ShardGraph}. Immutable. Built only by the graph builder.
 *
 * @param id              stable id, unique in the graph
 * @param index           position in declaration order (the same on every rank)
 * @param kind            plain, resumable or range
 * @param priority        scheduling priority
 * @param cores           cores one attempt needs
 * @param capabilities    labels a rank must offer to run it (for example {@code bigmem})
 * @param inputs          indices of the shards whose outputs it reads
 * @param dependencies    indices of all shards that must complete first (inputs plus order-only ones), sorted
 * @param retries         how many failed attempts are retried before the run fails
 * @param checkpointEvery how often a resumable shard saves its state, or null for the run's default
 * @param checkpointEverySteps save a resumable shard's state every this many steps as well (0: by time only)
 * @param outputCodec     codec of the output
 * @param function        the body for {@link ShardKind#PLAIN}
 * @param resumable       the body for {@link ShardKind#RESUMABLE}
 * @param stateCodec      the state codec for {@link ShardKind#RESUMABLE}
 * @param rangeBody       the body for {@link ShardKind#RANGE}
 * @param reducer         combines partial results of a range, left to right in index order
 * @param rangeStart      first index of a range (inclusive)
 * @param rangeEnd        last index of a range (exclusive)
 * @param grain           indices per block of a range: the unit that is never split further
 */
public record ShardSpec(
        String id,
        int index,
        ShardKind kind,
        Priority priority,
        int cores,
        Set<String> capabilities,
        int[] inputs,
        int[] dependencies,
        int retries,
        Duration checkpointEvery,
        long checkpointEverySteps,
        Codec<?> outputCodec,
        ShardFunction<?> function,
        Resumable<?, ?> resumable,
        Codec<?> stateCodec,
        RangeBody<?> rangeBody,
        BinaryOperator<?> reducer,
        long rangeStart,
        long rangeEnd,
        long grain) {

    /** Number of blocks of a range shard (1 for other kinds). */
    public int blockCount() {
        if (kind != ShardKind.RANGE) {
            return 1;
        }
        return (int) Math.max(1, (rangeEnd - rangeStart + grain - 1) / grain);
    }

    /** First index of block {@code block} of a range shard. */
    public long blockStart(int block) {
        return rangeStart + block * grain;
    }

    /** End (exclusive) of block {@code block} of a range shard. */
    public long blockEnd(int block) {
        return Math.min(rangeEnd, rangeStart + (block + 1) * grain);
    }
}
