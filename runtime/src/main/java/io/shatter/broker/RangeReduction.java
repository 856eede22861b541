package io.shatter.broker;

import io.shatter.Codec;
import io.shatter.broker.core.Event;
import io.shatter.graph.ShardSpec;
import io.shatter.protocol.WireReader;

import java.util.List;
import java.util.function.BinaryOperator;

/**
 * A range shard's reduction, which runs the user's reducer and so never runs in the core: the
 * chunks' partial results, decoded from their wire form, folded left to right in block order.
 */
public final class RangeReduction {
    private RangeReduction() {
    }

    /** Left to right in block order, so that the result equals a sequential fold whatever the split. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Event.ReduceOutcome reduce(ShardSpec spec, List<byte[]> chunkOutputs) {
        Codec codec = spec.outputCodec();
        BinaryOperator reducer = spec.reducer();
        try {
            Object acc = null;
            int partials = 0;
            for (byte[] chunk : chunkOutputs) {
                WireReader in = new WireReader(chunk);
                int count = in.readVarInt();
                for (int i = 0; i < count; i++) {
                    Object partial = codec.decode(in.readBytes());
                    acc = partials++ == 0 ? partial : reducer.apply(acc, partial);
                }
            }
            if (partials != spec.blockCount()) {
                return new Event.ReduceOutcome.Failed("its chunks returned " + partials + " partial results for "
                        + spec.blockCount() + " blocks (a worker from another build?)");
            }
            return new Event.ReduceOutcome.Reduced(codec.encode(acc));
        } catch (RuntimeException e) {
            return new Event.ReduceOutcome.Failed("its reduction threw " + e);
        }
    }
}
