package io.shatter.broker.core;

import java.util.Arrays;

/**
 * Live tasks by id, with ids reclaimed: an id is a slot number plus that slot's generation, so a
 * retired task's slot serves the next task under a new id, and a late message naming the old id
 * finds nothing (its generation is gone) instead of the slot's new task. Memory follows the tasks
 * alive, not every task the run ever had; lookups are an array access.
 */
final class TaskTable {
    private static final int SLOT_BITS = 23;
    private static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    private static final int GENERATIONS = 1 << (31 - SLOT_BITS);

    private Task[] tasks = new Task[1024];
    private int[] generation = new int[1024];
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
                tasks = Arrays.copyOf(tasks, slot * 2);
                generation = Arrays.copyOf(generation, slot * 2);
            }
        }
        return (generation[slot] << SLOT_BITS) | slot;
    }

    void put(Task task) {
        tasks[task.id & SLOT_MASK] = task;
        live++;
    }

    /** The live task with this id, or null (never was, or retired). */
    Task get(int id) {
        int slot = id & SLOT_MASK;
        if (id < 0 || slot >= used) {
            return null;
        }
        Task t = tasks[slot];
        return t != null && t.id == id ? t : null;
    }

    void remove(Task task) {
        int slot = task.id & SLOT_MASK;
        if (tasks[slot] != task) {
            return;
        }
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
}
