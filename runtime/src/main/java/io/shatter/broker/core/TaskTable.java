package io.shatter.broker.core;

import io.shatter.graph.ShardState;

import java.util.Arrays;

/**
 * Live tasks by id, with ids reclaimed, and their hot state in primitive columns indexed by slot.
 *
 * <p>Ids: an id is a slot number plus that slot's generation, so a retired task's slot serves the
 * next task under a new id, and a late message naming the old id finds nothing (its generation is
 * gone) instead of the slot's new task. Memory follows the tasks alive, not every task the run ever
 * had; lookups are an array access.
 *
 * <p>Columns (a struct of arrays): each live task's lifecycle (state and attempt number, with
 * {@link ShardState}'s rules enforced here), the rank it is on, its place in that rank's list, its
 * cores and shard, and a few flags. Why: at 10,000 ranks 10,000 attempts are in flight and end in
 * an order unrelated to their start. Answering "is this the attempt running now, where, on how many
 * cores" from the task's own objects (the task, its lifecycle, its spec, the rank's list) cost a
 * cache miss each on every end; the columns of the tasks in flight span a few tens of kilobytes and
 * stay in cache. The path that ends an attempt reads only these columns; it reaches the
 * {@link Task} object only when the task is paired or linked to a preemption ({@link #isLinked}).
 */
final class TaskTable {
    private static final int SLOT_BITS = 23;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int GENERATIONS = 1 << (31 - SLOT_BITS);
    private static final ShardState[] STATES = ShardState.values();

    private static final byte ON_RANK = 1;
    private static final byte LOADING = 1 << 1;
    private static final byte SAVING_CHECKPOINT = 1 << 2;
    private static final byte LINKED = 1 << 3;
    private static final byte RANGE_CHUNK = 1 << 4;

    private Task[] tasks = new Task[1024];
    private int[] generation = new int[1024];
    private byte[] state = new byte[1024];
    private int[] attempt = new int[1024];
    private int[] rank = new int[1024];
    private int[] indexOnRank = new int[1024];
    private int[] cores = new int[1024];
    private int[] shard = new int[1024];
    private byte[] flags = new byte[1024];
    private int[] free = new int[1024];
    private int freeCount;
    private int used;
    private int live;

    /** An id for a new task (it is not live until {@link #put}). */
    int nextId() {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == SLOT_MASK) {
                throw new IllegalStateException("more than " + SLOT_MASK + " tasks alive at once");
            }
            slot = used++;
            if (slot == tasks.length) {
                grow(slot * 2);
            }
        }
        return (generation[slot] << SLOT_BITS) | slot;
    }

    private void grow(int length) {
        tasks = Arrays.copyOf(tasks, length);
        generation = Arrays.copyOf(generation, length);
        state = Arrays.copyOf(state, length);
        attempt = Arrays.copyOf(attempt, length);
        rank = Arrays.copyOf(rank, length);
        indexOnRank = Arrays.copyOf(indexOnRank, length);
        cores = Arrays.copyOf(cores, length);
        shard = Arrays.copyOf(shard, length);
        flags = Arrays.copyOf(flags, length);
    }

    /** Makes {@code task} live: QUEUED, no attempt yet, off any rank. */
    void put(Task task, int taskCores, int shardIndex, boolean rangeChunk) {
        int slot = task.id & SLOT_MASK;
        tasks[slot] = task;
        state[slot] = (byte) ShardState.QUEUED.ordinal();
        attempt[slot] = 0;
        rank[slot] = 0;
        indexOnRank[slot] = 0;
        cores[slot] = taskCores;
        shard[slot] = shardIndex;
        flags[slot] = rangeChunk ? RANGE_CHUNK : 0;
        live++;
    }

    /** Whether {@code id} names a live task (not one that never was, or retired). */
    boolean isLive(int id) {
        int slot = id & SLOT_MASK;
        return id >= 0 && slot < used && tasks[slot] != null && generation[slot] == id >>> SLOT_BITS;
    }

    /** The live task with this id, or null (never was, or retired). */
    Task get(int id) {
        return isLive(id) ? tasks[id & SLOT_MASK] : null;
    }

    /** Forgets task {@code id}; its object keeps its final state and attempt (a store, not a load: cheap on the end path). */
    void remove(int id) {
        if (!isLive(id)) {
            return;
        }
        int slot = id & SLOT_MASK;
        tasks[slot].retired(STATES[state[slot]], attempt[slot]);
        tasks[slot] = null;
        generation[slot] = (generation[slot] + 1) % GENERATIONS;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
        live--;
    }

    int live() {
        return live;
    }

    // ---------------------------------------------------------------- the lifecycle (DESIGN.md, "Shard lifecycle")

    ShardState state(int id) {
        return STATES[state[id & SLOT_MASK]];
    }

    /** The current (latest) attempt number; 0 before the first start. */
    int attempt(int id) {
        return attempt[id & SLOT_MASK];
    }

    /**
     * QUEUED to RUNNING as attempt {@code number}, which must be higher than the last (several units
     * may share one shard's numbering: a shadow and its primary), so every attempt has its own number.
     */
    void start(int id, int number) {
        int slot = id & SLOT_MASK;
        if (number <= attempt[slot]) {
            throw new IllegalStateException(tasks[slot].name + ": attempt " + number + " does not follow attempt " + attempt[slot]);
        }
        moveTo(id, ShardState.RUNNING);
        attempt[slot] = number;
    }

    /** Moves to {@code target}, or throws if the lifecycle forbids it (a scheduler bug). */
    void moveTo(int id, ShardState target) {
        int slot = id & SLOT_MASK;
        ShardState from = STATES[state[slot]];
        if (!from.canMoveTo(target)) {
            throw new IllegalStateException(tasks[slot].name + ": illegal transition " + from + " -> " + target
                    + " (attempt " + attempt[slot] + ")");
        }
        state[slot] = (byte) target.ordinal();
    }

    /** Whether a message about {@code reportedAttempt} concerns the attempt running now. */
    boolean isCurrent(int id, int reportedAttempt) {
        int slot = id & SLOT_MASK;
        return state[slot] == ShardState.RUNNING.ordinal() && attempt[slot] == reportedAttempt;
    }

    /** Whether {@code onRank} runs attempt {@code reportedAttempt} of live task {@code id} now, its checkpoint loaded. */
    boolean runsNow(int id, int onRank, int reportedAttempt) {
        int slot = id & SLOT_MASK;
        return isLive(id) && isCurrent(id, reportedAttempt) && (flags[slot] & (ON_RANK | LOADING)) == ON_RANK && rank[slot] == onRank;
    }

    /** Whether its lifecycle is over (completed, cancelled or failed). */
    boolean isOver(int id) {
        ShardState s = state(id);
        return s == ShardState.COMPLETED || s == ShardState.CANCELLED || s == ShardState.FAILED;
    }

    // ---------------------------------------------------------------- where it runs, and what it holds

    /** The rank it runs on; meaningful only while {@link #isOnRank}. */
    int rank(int id) {
        return rank[id & SLOT_MASK];
    }

    void setRank(int id, int onRank) {
        rank[id & SLOT_MASK] = onRank;
    }

    /** Its place in its rank's list of attempts. */
    int indexOnRank(int id) {
        return indexOnRank[id & SLOT_MASK];
    }

    void setIndexOnRank(int id, int index) {
        indexOnRank[id & SLOT_MASK] = index;
    }

    /** Cores one attempt holds (its spec's). */
    int cores(int id) {
        return cores[id & SLOT_MASK];
    }

    /** The index of the shard it runs. */
    int shard(int id) {
        return shard[id & SLOT_MASK];
    }

    /** Whether it is a chunk of a range shard (committed block by block). */
    boolean isRangeChunk(int id) {
        return has(id, RANGE_CHUNK);
    }

    boolean isOnRank(int id) {
        return has(id, ON_RANK);
    }

    void setOnRank(int id, boolean on) {
        set(id, ON_RANK, on);
    }

    /** Its assignment waits for its checkpoint to load: it cannot be asked to yield yet. */
    boolean isLoading(int id) {
        return has(id, LOADING);
    }

    void setLoading(int id, boolean loading) {
        set(id, LOADING, loading);
    }

    /** A checkpoint of it is being written. */
    boolean isSavingCheckpoint(int id) {
        return has(id, SAVING_CHECKPOINT);
    }

    void setSavingCheckpoint(int id, boolean saving) {
        set(id, SAVING_CHECKPOINT, saving);
    }

    /** Whether the task has a shadow partner or a preemption link (then its object must be looked at when it ends). */
    boolean isLinked(int id) {
        return has(id, LINKED);
    }

    void setLinked(int id, boolean linked) {
        set(id, LINKED, linked);
    }

    private boolean has(int id, byte flag) {
        return (flags[id & SLOT_MASK] & flag) != 0;
    }

    private void set(int id, byte flag, boolean on) {
        int slot = id & SLOT_MASK;
        flags[slot] = (byte) (on ? flags[slot] | flag : flags[slot] & ~flag);
    }
}
