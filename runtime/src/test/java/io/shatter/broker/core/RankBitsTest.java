package io.shatter.broker.core;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link RankBits} answers as {@link BitSet} does, for random sets, clears and searches at several sizes. */
class RankBitsTest {
    @Test
    void answersAsJavaUtilBitSetDoes() {
        for (int size : new int[] {1, 63, 64, 65, 4095, 4096, 4097, 10_001, 300_000}) {
            SplittableRandom random = new SplittableRandom(size);
            RankBits bits = new RankBits(size);
            BitSet oracle = new BitSet(size);
            // Sparse and dense phases: the summary words matter most when few bits are set.
            for (int step = 0; step < 20_000; step++) {
                int bit = random.nextInt(size);
                boolean value = random.nextInt(100) < (step / 5_000 % 2 == 0 ? 2 : 70);
                bits.set(bit, value);
                oracle.set(bit, value);
                int from = random.nextInt(size);
                assertEquals(oracle.nextSetBit(from), bits.nextSetBit(from), "next from " + from + ", size " + size);
                assertEquals(oracle.previousSetBit(from), bits.previousSetBit(from), "previous from " + from + ", size " + size);
                assertEquals(oracle.get(bit), bits.get(bit));
                assertEquals(oracle.cardinality(), bits.cardinality());
                assertEquals(oracle.isEmpty(), bits.isEmpty());
            }
            assertEquals(oracle.nextSetBit(0), bits.nextSetBit(0));
            assertEquals(-1, bits.nextSetBit(size + 64));
        }
    }
}
