package io.shatter.broker.core;

/**
 * A fixed set of rank numbers with a summary word per 64 words, so that finding the next member
 * costs a few word reads however many ranks are empty before it. {@link java.util.BitSet} scans
 * word by word from the start, and rescans its words in use whenever its highest bit is cleared:
 * at 10,000 ranks with little room, that was most of a placement's cost.
 */
final class RankBits {
    private final long[] words;
    private final long[] summary;
    private int count;

    RankBits(int size) {
        words = new long[(size + 63) >>> 6];
        summary = new long[(words.length + 63) >>> 6];
    }

    boolean get(int bit) {
        return (words[bit >>> 6] & (1L << bit)) != 0;
    }

    void set(int bit, boolean value) {
        int w = bit >>> 6;
        long before = words[w];
        long after = value ? before | (1L << bit) : before & ~(1L << bit);
        if (after == before) {
            return;
        }
        words[w] = after;
        count += value ? 1 : -1;
        if (before == 0 || after == 0) {
            summary[w >>> 6] ^= 1L << w; // the word became non-empty, or empty
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    int cardinality() {
        return count;
    }

    /** The first member at or after {@code from}, or -1. */
    int nextSetBit(int from) {
        int w = from >>> 6;
        if (w >= words.length) {
            return -1;
        }
        long word = words[w] & (-1L << from);
        if (word != 0) {
            return (w << 6) + Long.numberOfTrailingZeros(word);
        }
        int next = w + 1;
        for (int s = next >>> 6; s < summary.length; s++) {
            long nonEmpty = s == next >>> 6 ? summary[s] & (-1L << next) : summary[s];
            if (nonEmpty != 0) {
                int found = (s << 6) + Long.numberOfTrailingZeros(nonEmpty);
                return (found << 6) + Long.numberOfTrailingZeros(words[found]);
            }
        }
        return -1;
    }

    /** The last member at or before {@code from}, or -1. */
    int previousSetBit(int from) {
        for (int bit = from; bit >= 0; ) {
            int w = bit >>> 6;
            long word = words[w] & (-1L >>> (63 - (bit & 63)));
            if (word != 0) {
                return (w << 6) + 63 - Long.numberOfLeadingZeros(word);
            }
            bit = (w << 6) - 1;
        }
        return -1;
    }
}
