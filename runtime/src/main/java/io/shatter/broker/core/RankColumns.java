package io.shatter.broker.core;

import io.shatter.CapacityClass;

/**
 * The hot state of every worker rank, one record of {@code int}s per rank number in one array: its
 * class, whether it is active, its cores, the cores its attempts hold, the shards it committed, and
 * the ids of the attempts it holds. {@link RankSlot} (what the placement policy sees) reads and
 * changes its rank's state here. Why: at 10,000 ranks an attempt ends on a rank unrelated to the
 * last one, and reaching that rank's object and its list cost cache misses on every end; here an
 * end touches one record (the same reason as {@link TaskTable}'s).
 *
 * <p>A rank's attempts keep the order a list with swap-removal keeps (removing one moves the last
 * into its place); each attempt's place is in {@link TaskTable#indexOnRank}. A record has room for
 * {@link #idsPerRank} of them, doubled for every rank when one needs more.
 */
final class RankColumns {
    private static final CapacityClass[] CLASSES = CapacityClass.values();
    /** Bits 0-7: the class's ordinal; bit 8: active. */
    private static final int HEADER = 0;
    private static final int CORES = 1;
    private static final int HELD_CORES = 2;
    private static final int ATTEMPTS = 3;
    private static final int COMMITTED_LOW = 4;
    private static final int COMMITTED_HIGH = 5;
    /** Where the attempt ids start in a record. */
    private static final int IDS = 6;
    private static final int ACTIVE = 1 << 8;
    private static final int CLASS_MASK = 0xFF;

    private final TaskTable tasks;
    private final int ranks;
    private int idsPerRank = 2;
    private int[] records;

    RankColumns(int workers, TaskTable tasks) {
        this.tasks = tasks;
        this.ranks = workers + 1;
        records = new int[ranks * (IDS + idsPerRank)];
    }

    /** Where rank {@code rank}'s record starts. */
    private int at(int rank) {
        return rank * (IDS + idsPerRank);
    }

    CapacityClass capacityClass(int rank) {
        return CLASSES[records[at(rank) + HEADER] & CLASS_MASK];
    }

    void setCapacityClass(int rank, CapacityClass c) {
        int at = at(rank);
        records[at + HEADER] = records[at + HEADER] & ~CLASS_MASK | c.ordinal();
    }

    boolean isActive(int rank) {
        return (records[at(rank) + HEADER] & ACTIVE) != 0;
    }

    void setActive(int rank, boolean isActive) {
        int at = at(rank);
        records[at + HEADER] = isActive ? records[at + HEADER] | ACTIVE : records[at + HEADER] & ~ACTIVE;
    }

    int cores(int rank) {
        return records[at(rank) + CORES];
    }

    void setCores(int rank, int n) {
        records[at(rank) + CORES] = n;
    }

    /** Cores held by the attempts on the rank (running or queued there). */
    int heldCores(int rank) {
        return records[at(rank) + HELD_CORES];
    }

    /** Shards whose commit came from this rank. */
    long committed(int rank) {
        int at = at(rank);
        return (long) records[at + COMMITTED_HIGH] << 32 | records[at + COMMITTED_LOW] & 0xFFFF_FFFFL;
    }

    void countCommit(int rank) {
        long n = committed(rank) + 1;
        int at = at(rank);
        records[at + COMMITTED_LOW] = (int) n;
        records[at + COMMITTED_HIGH] = (int) (n >>> 32);
    }

    int attemptCount(int rank) {
        return records[at(rank) + ATTEMPTS];
    }

    /** The id of the {@code i}th attempt the rank holds. */
    int attemptId(int rank, int i) {
        return records[at(rank) + IDS + i];
    }

    /** The rank takes live task {@code taskId}'s attempt. */
    void addAttempt(int rank, int taskId) {
        if (attemptCount(rank) == idsPerRank) {
            widen();
        }
        int at = at(rank);
        int i = records[at + ATTEMPTS]++;
        records[at + IDS + i] = taskId;
        tasks.setIndexOnRank(taskId, i);
        records[at + HELD_CORES] += tasks.cores(taskId);
    }

    /** The rank gives up live task {@code taskId}'s attempt: its last attempt takes the place. */
    void removeAttempt(int rank, int taskId) {
        int at = at(rank);
        int i = tasks.indexOnRank(taskId);
        int last = records[at + IDS + --records[at + ATTEMPTS]];
        if (last != taskId) {
            records[at + IDS + i] = last;
            tasks.setIndexOnRank(last, i);
        }
        records[at + HELD_CORES] -= tasks.cores(taskId);
    }

    /** Doubles the room for attempt ids in every record (rare: a rank holds more than ever before). */
    private void widen() {
        int wider = idsPerRank * 2;
        int[] larger = new int[ranks * (IDS + wider)];
        for (int r = 0; r < ranks; r++) {
            System.arraycopy(records, at(r), larger, r * (IDS + wider), IDS + records[at(r) + ATTEMPTS]);
        }
        records = larger;
        idsPerRank = wider;
    }

    @Override
    public String toString() {
        return "RankColumns[" + ranks + " ranks, room for " + idsPerRank + " attempts each]";
    }
}
