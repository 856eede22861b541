package io.shatter.broker.core;

import io.shatter.graph.ShardSpec;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntFunction;

/** Which ranks hold which committed outputs, as placement asks it: bytes to move, ranks to prefer. */
final class InputHolders {
    private static final int[] NO_RANKS = new int[0];

    private InputHolders() {
    }

    /** Bytes of {@code spec}'s inputs that would have to be sent to {@code rank}. */
    static long bytesMissingOn(ShardSpec spec, int rank, BitSet[] holders, IntFunction<byte[]> outputs) {
        long missing = 0;
        for (int in : spec.inputs()) {
            byte[] output = outputs.apply(in);
            if (output != null && (holders[in] == null || !holders[in].get(rank))) {
                missing += output.length;
            }
        }
        return missing;
    }

    /** Ranks holding at least one of {@code spec}'s inputs, at most {@code limit}. */
    static int[] ranksHolding(ShardSpec spec, int limit, BitSet[] holders) {
        if (spec.inputs().length == 0) {
            return NO_RANKS;
        }
        int[] found = new int[limit];
        int n = 0;
        for (int in : spec.inputs()) {
            BitSet h = holders[in];
            for (int r = h == null ? -1 : h.nextSetBit(0); r >= 0 && n < limit; r = h.nextSetBit(r + 1)) {
                found[n++] = r;
            }
        }
        return Arrays.copyOf(found, n);
    }
}
