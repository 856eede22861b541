package io.shatter.broker.core;

import java.util.BitSet;

/** Progress of a range shard: which blocks are done and each committed chunk's output, by its first block. */
final class RangeProgress {
    final byte[][] chunkOutputAt;
    final int[] chunkEndAt;
    final BitSet doneBlocks;
    final int blocks;
    /** The next block to carve. */
    int next;
    int done;
    /** Chunks restored from the journal: only then may done blocks lie ahead of {@link #next}. */
    int restoredChunks;
    long blockNanos;
    /** Its reduction was asked for. */
    boolean reducing;

    RangeProgress(int blocks) {
        this.blocks = blocks;
        chunkOutputAt = new byte[blocks][];
        chunkEndAt = new int[blocks];
        doneBlocks = new BitSet(blocks);
    }

    /** Records a chunk's output; false (and nothing recorded) if any of its blocks is done already. */
    boolean record(int from, int to, byte[] output) {
        int firstDone = doneBlocks.nextSetBit(from);
        if (firstDone >= 0 && firstDone < to) {
            return false;
        }
        chunkOutputAt[from] = output;
        chunkEndAt[from] = to;
        doneBlocks.set(from, to);
        done += to - from;
        return true;
    }

    void skipDoneBlocks() {
        while (next < blocks && doneBlocks.get(next)) {
            next++;
        }
    }
}
