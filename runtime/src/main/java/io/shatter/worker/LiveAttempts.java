package io.shatter.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The worker's queued and running assignments by {@link Assignment#key()}: an open-addressing hash
 * table with linear probing on primitive keys, because a {@code HashMap<Long, Assignment>} boxed
 * two keys and allocated a node per no-op shard (a fifth of a lane's time in a profile of 1,000,000
 * of them). Used under the worker's lock.
 */
final class LiveAttempts {
    private long[] keys = new long[64];
    private Assignment[] values = new Assignment[64];
    private int size;

    /** How many are held. */
    int size() {
        return size;
    }

    Assignment get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return values[i];
            }
        }
        return null;
    }

    void put(Assignment a) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        long key = a.key();
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            size++;
        }
        keys[i] = key;
        values[i] = a;
    }

    /** Removes the assignment with this key, if held. */
    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (values[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (values[i] == null) {
            return;
        }
        values[i] = null;
        size--;
        // Backward-shift deletion: move later entries of the probe run up, so lookups never stop at the hole early.
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                values[j] = null;
                hole = j;
            }
        }
    }

    /** A copy of what is held (for revocations and shutdown: rare, so a copy is fine). */
    List<Assignment> all() {
        List<Assignment> out = new ArrayList<>(size);
        for (Assignment a : values) {
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        Assignment[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Assignment[oldValues.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                put(oldValues[i]);
            }
        }
        Arrays.fill(oldValues, null);
    }
}
