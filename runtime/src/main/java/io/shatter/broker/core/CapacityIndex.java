package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.broker.policy.RankView;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Free capacity by class, kept up to date as ranks change, so that placement never scans every
 * rank: which active ranks have room (a bit per rank, per class), how many active non-spare cores
 * there are, how many attempts are held, and the excess partition's cores that each excess rank and
 * the live ones below it stand for (a Fenwick tree over rank numbers: the per-slot survival
 * question in O(log n)).
 */
final class CapacityIndex {
    private final RankSlot[] slots;
    private final RankColumns columns;
    private final RankBits[] withRoom = new RankBits[CapacityClass.values().length];
    private final long[] excessCoresTree;
    private final int[] excessCoresCounted;
    private final ToIntFunction<RankSlot> partitionCores;
    private final List<RankSlot> found = new ArrayList<>();
    /** Active excess ranks, a bit each: how many, and which is highest (revoked first). */
    private final RankBits activeExcess;
    private int pipelineDepth = 1;
    private int activeNonSpareCores;
    private int nonSpareRanksWithRoom;
    private int heldAttempts;

    CapacityIndex(int workers, RankColumns columns, ToIntFunction<RankSlot> partitionCores) {
        this.slots = new RankSlot[workers + 1];
        this.columns = columns;
        this.excessCoresTree = new long[workers + 1];
        this.excessCoresCounted = new int[workers + 1];
        this.partitionCores = partitionCores;
        this.activeExcess = new RankBits(workers + 1);
        for (int c = 0; c < withRoom.length; c++) {
            withRoom[c] = new RankBits(workers + 1);
        }
    }

    void register(RankSlot slot) {
        slots[slot.rank] = slot;
    }

    int pipelineDepth() {
        return pipelineDepth;
    }

    /** Changes how many attempts per core ranks queue; rebuilds the room bits (rare: the depth follows shard lengths). */
    void setPipelineDepth(int depth) {
        if (depth == pipelineDepth) {
            return;
        }
        pipelineDepth = depth;
        for (int r = 1; r < slots.length; r++) {
            setRoom(r, hasRoom(r));
        }
    }

    /** Whether the rank is active and can take another attempt (read from the rank records, not the rank's object). */
    private boolean hasRoom(int rank) {
        return columns.isActive(rank) && columns.cores(rank) * pipelineDepth - columns.heldCores(rank) > 0;
    }

    /** Called by {@link RankSlot} after a change of its held cores (attempts added or removed). */
    void heldChanged(int rank) {
        setRoom(rank, hasRoom(rank));
    }

    /** Called by {@link RankSlot} after any change to its status or held cores. */
    void changed(int rank, boolean wasActive) {
        boolean active = columns.isActive(rank);
        CapacityClass capacityClass = columns.capacityClass(rank);
        if (wasActive != active) {
            int sign = active ? 1 : -1;
            if (capacityClass != CapacityClass.SPARE) {
                activeNonSpareCores += sign * columns.cores(rank);
            }
            if (capacityClass == CapacityClass.EXCESS) {
                int cores = active ? partitionCores.applyAsInt(slots[rank]) : -excessCoresCounted[rank];
                excessCoresCounted[rank] = active ? cores : 0;
                activeExcess.set(rank, active);
                for (int i = rank; i < excessCoresTree.length; i += i & -i) {
                    excessCoresTree[i] += cores;
                }
            }
        }
        setRoom(rank, hasRoom(rank));
    }

    private void setRoom(int rank, boolean room) {
        CapacityClass capacityClass = columns.capacityClass(rank);
        RankBits bits = withRoom[capacityClass.ordinal()];
        if (bits.get(rank) != room) {
            bits.set(rank, room);
            if (capacityClass != CapacityClass.SPARE) {
                nonSpareRanksWithRoom += room ? 1 : -1;
            }
        }
    }

    void attemptHeld(int delta) {
        heldAttempts += delta;
    }

    /** Attempts running or queued on any rank. */
    int heldAttempts() {
        return heldAttempts;
    }

    /** Whether any active reserved or excess rank can take an attempt now. */
    boolean anyNonSpareRoom() {
        return nonSpareRanksWithRoom > 0;
    }

    /** Whether an active excess rank has room. */
    boolean anyExcessRoom() {
        return !withRoom[CapacityClass.EXCESS.ordinal()].isEmpty();
    }

    int activeNonSpareCores() {
        return activeNonSpareCores;
    }

    /** Active ranks of a class with room, in rank order, at most {@code limit}; the list is reused by the next call. */
    List<? extends RankView> withRoom(CapacityClass capacityClass, int limit) {
        found.clear();
        RankBits bits = withRoom[capacityClass.ordinal()];
        for (int r = bits.nextSetBit(0); r >= 0 && found.size() < limit; r = bits.nextSetBit(r + 1)) {
            found.add(slots[r]);
        }
        return found;
    }

    int activeExcessRanks() {
        return activeExcess.cardinality();
    }

    /** The highest-numbered active excess rank; call only when {@link #activeExcessRanks} is positive. */
    int highestActiveExcessRank() {
        return activeExcess.previousSetBit(slots.length - 1);
    }

    /** Partition cores of the live excess ranks numbered up to {@code rank}. */
    long excessCoresUpTo(int rank) {
        long sum = 0;
        for (int i = rank; i > 0; i -= i & -i) {
            sum += excessCoresTree[i];
        }
        return sum;
    }
}
