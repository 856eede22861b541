package io.shatter.broker.core;

import io.shatter.graph.ShardState;

import java.util.Arrays;

/**
 * Live tasks by id, with ids reclaimed, and their hot state in a record of ints per task slot.
 *
 * <p>Ids: an id is a slot number plus that slot's generation, so a retired task's slot serves the
 * next task under a new id, and a late message naming the old id finds nothing (its generation is
 * gone) instead of the slot's new task. Memory follows the tasks alive, not every task the run ever
 * had; lookups are an array access.
 *
 * <p>Hot state, in one {@code int} array, {@value #FIELDS} ints per slot: each live task's
 * lifecycle (state and attempt number, with {@link ShardState}'s rules enforced here), the rank it is
 * on, its place in that rank's list, its cores and shard, and a few flags. Why: at 10,000 ranks
 * 10,000 attempts are in flight and end in an order unrelated to their start. Answering "is this the
 * attempt running now, where, on how many cores" from the task's own objects (the task, its
 * lifecycle, its spec, the rank's list) cost a cache miss each on every end; here it is one or two
 * cache lines per task, in an array whose part in flight stays in cache. The path that ends an
 * attempt reads only this; it reaches the {@link Task} object only when the task is paired or
 * linked to a preemption ({@link #isLinked}).
 */
final class TaskTable {
    private static final int SLOT_BITS = 23;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int GENERATIONS = 1 << (31 - SLOT_BITS);
    private static final ShardState[] STATES = ShardState.values();

    /** Ints per slot in {@link #hot}, and what each holds. */
    private static final int FIELDS = 8;
    /** Bits 0-7: the slot's generation; 8-11: the state's ordinal; 16-23: the flags below. */
    private static final int HEADER = 0;
    private static final int ATTEMPT = 1;
    private static final int RANK = 2;
    private static final int INDEX_ON_RANK = 3;
    private static final int CORES = 4;
    private static final int SHARD = 5;

    private static final int GENERATION_MASK = 0xFF;
    private static final int STATE_SHIFT = 8;
    private static final int STATE_MASK = 0xF << STATE_SHIFT;
    private static final int ON_RANK = 1 << 16;
    private static final int LOADING = 1 << 17;
    private static final int SAVING_CHECKPOINT = 1 << 18;
    private static final int LINKED = 1 << 19;
    private static final int RANGE_CHUNK = 1 << 20;
    /** The slot holds a live task (its generation is the id's). */
    private static final int LIVE = 1 << 21;

    private Task[] tasks = new Task[1024];
    private int[] hot = new int[1024 * FIELDS];
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
        return (generation(slot) << SLOT_BITS) | slot;
    }

    private void grow(int length) {
        tasks = Arrays.copyOf(tasks, length);
        hot = Arrays.copyOf(hot, length * FIELDS);
    }

    private int generation(int slot) {
        return hot[slot * FIELDS + HEADER] & GENERATION_MASK;
    }

    /** Where task {@code id}'s fields start in {@link #hot}. */
    private static int at(int id) {
        return (id & SLOT_MASK) * FIELDS;
    }

    /** Makes {@code task} live: QUEUED, no attempt yet, off any rank. */
    void put(Task task, int taskCores, int shardIndex, boolean rangeChunk) {
        int slot = task.id & SLOT_MASK;
        tasks[slot] = task;
        int at = slot * FIELDS;
        hot[at + HEADER] = generation(slot) | LIVE | ShardState.QUEUED.ordinal() << STATE_SHIFT | (rangeChunk ? RANGE_CHUNK : 0);
        hot[at + ATTEMPT] = 0;
        hot[at + RANK] = 0;
        hot[at + INDEX_ON_RANK] = 0;
        hot[at + CORES] = taskCores;
        hot[at + SHARD] = shardIndex;
        live++;
    }

    /** Whether {@code id} names a live task (not one that never was, or retired). */
    boolean isLive(int id) {
        int slot = id & SLOT_MASK;
        // One read of the slot's header: the task object and the rest of the table stay untouched.
        return id >= 0 && slot < used && (hot[slot * FIELDS + HEADER] & (LIVE | GENERATION_MASK)) == (LIVE | id >>> SLOT_BITS);
    }

    /** The live task with this id, or null (never was, or retired). */
    Task get(int id) {
        return isLive(id) ? tasks[id & SLOT_MASK] : null;
    }

    /** Forgets task {@code id} (without touching its object: see {@link Task#inTable}). */
    void remove(int id) {
        if (!isLive(id)) {
            return;
        }
        int slot = id & SLOT_MASK;
        tasks[slot] = null;
        hot[slot * FIELDS + HEADER] = (generation(slot) + 1) % GENERATIONS;
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
        return STATES[(hot[at(id) + HEADER] & STATE_MASK) >>> STATE_SHIFT];
    }

    /** The current (latest) attempt number; 0 before the first start. */
    int attempt(int id) {
        return hot[at(id) + ATTEMPT];
    }

    /**
     * QUEUED to RUNNING as attempt {@code number}, which must be higher than the last (several units
     * may share one shard's numbering: a shadow and its primary), so every attempt has its own number.
     */
    void start(int id, int number) {
        if (number <= attempt(id)) {
            throw new IllegalStateException(tasks[id & SLOT_MASK].name + ": attempt " + number + " does not follow attempt " + attempt(id));
        }
        moveTo(id, ShardState.RUNNING);
        hot[at(id) + ATTEMPT] = number;
    }

    /** Moves to {@code target}, or throws if the lifecycle forbids it (a scheduler bug). */
    void moveTo(int id, ShardState target) {
        ShardState from = state(id);
        if (!from.canMoveTo(target)) {
            throw new IllegalStateException(tasks[id & SLOT_MASK].name + ": illegal transition " + from + " -> " + target
                    + " (attempt " + attempt(id) + ")");
        }
        int at = at(id);
        hot[at + HEADER] = hot[at + HEADER] & ~STATE_MASK | target.ordinal() << STATE_SHIFT;
    }

    /** Whether a message about {@code reportedAttempt} concerns the attempt running now. */
    boolean isCurrent(int id, int reportedAttempt) {
        int at = at(id);
        return (hot[at + HEADER] & STATE_MASK) == ShardState.RUNNING.ordinal() << STATE_SHIFT && hot[at + ATTEMPT] == reportedAttempt;
    }

    /** Whether {@code onRank} runs attempt {@code reportedAttempt} of live task {@code id} now, its checkpoint loaded. */
    boolean runsNow(int id, int onRank, int reportedAttempt) {
        return isLive(id) && isCurrent(id, reportedAttempt) && (hot[at(id) + HEADER] & (ON_RANK | LOADING)) == ON_RANK
                && hot[at(id) + RANK] == onRank;
    }

    /** Whether its lifecycle is over (completed, cancelled or failed). */
    boolean isOver(int id) {
        ShardState s = state(id);
        return s == ShardState.COMPLETED || s == ShardState.CANCELLED || s == ShardState.FAILED;
    }

    // ---------------------------------------------------------------- where it runs, and what it holds

    /** The rank it runs on; meaningful only while {@link #isOnRank}. */
    int rank(int id) {
        return hot[at(id) + RANK];
    }

    void setRank(int id, int onRank) {
        hot[at(id) + RANK] = onRank;
    }

    /** Its place in its rank's list of attempts. */
    int indexOnRank(int id) {
        return hot[at(id) + INDEX_ON_RANK];
    }

    void setIndexOnRank(int id, int index) {
        hot[at(id) + INDEX_ON_RANK] = index;
    }

    /** Cores one attempt holds (its spec's). */
    int cores(int id) {
        return hot[at(id) + CORES];
    }

    /** The index of the shard it runs. */
    int shard(int id) {
        return hot[at(id) + SHARD];
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

    private boolean has(int id, int flag) {
        return (hot[at(id) + HEADER] & flag) != 0;
    }

    private void set(int id, int flag, boolean on) {
        int at = at(id);
        hot[at + HEADER] = on ? hot[at + HEADER] | flag : hot[at + HEADER] & ~flag;
    }
}
