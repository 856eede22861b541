package io.shatter.broker.core;

import io.shatter.Priority;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.graph.ShardState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TaskTable}'s packed records answer as plain per-task objects would (the oracle), through
 * random creations, starts, moves, flag changes and retirements, with slots reclaimed; and
 * {@link RankColumns} keeps each rank's attempts in the order a list with swap-removal keeps them.
 */
class TaskTableTest {
    /** What the table should say about one live task. */
    private static final class Expected {
        final Task task;
        final int cores;
        final int shard;
        final boolean chunk;
        ShardState state = ShardState.QUEUED;
        int attempt;
        int rank;
        boolean onRank;
        boolean loading;
        boolean saving;
        boolean linked;

        Expected(Task task, int cores, int shard, boolean chunk) {
            this.task = task;
            this.cores = cores;
            this.shard = shard;
            this.chunk = chunk;
        }
    }

    private static ShardSpec spec(int index, int cores) {
        return new ShardSpec("s" + index, index, ShardKind.PLAIN, Priority.MEDIUM, cores, Set.of(), new int[0], new int[0], 0,
                null, 0, null, null, null, null, null, null, 0, 0, 1);
    }

    @Test
    void packedRecordsAnswerAsPlainObjectsWouldWithSlotsReclaimed() {
        SplittableRandom random = new SplittableRandom(13);
        TaskTable table = new TaskTable();
        Map<Integer, Expected> live = new HashMap<>();
        List<Integer> retired = new ArrayList<>();
        for (int step = 0; step < 80_000; step++) {
            int op = random.nextInt(10);
            if (op < 3 || live.isEmpty()) {
                int id = table.nextId();
                int cores = 1 + random.nextInt(64);
                int shard = random.nextInt(1 << 30);
                boolean chunk = random.nextBoolean();
                Task task = new Task(id, spec(shard, cores), 0, 1, false, null, table);
                table.put(task, cores, shard, chunk);
                assertFalse(live.containsKey(id), "a live id handed out again");
                live.put(id, new Expected(task, cores, shard, chunk));
            } else {
                List<Integer> ids = new ArrayList<>(live.keySet());
                int id = ids.get(random.nextInt(ids.size()));
                Expected x = live.get(id);
                switch (op) {
                    case 3 -> {
                        int number = x.attempt + (random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(3));
                        if (x.state == ShardState.QUEUED && number > x.attempt) {
                            table.start(id, number);
                            x.state = ShardState.RUNNING;
                            x.attempt = number;
                        } else {
                            assertThrows(IllegalStateException.class, () -> table.start(id, number));
                        }
                    }
                    case 4 -> {
                        ShardState target = ShardState.values()[random.nextInt(ShardState.values().length)];
                        if (x.state.canMoveTo(target)) {
                            table.moveTo(id, target);
                            x.state = target;
                        } else {
                            assertThrows(IllegalStateException.class, () -> table.moveTo(id, target));
                        }
                    }
                    case 5 -> {
                        x.rank = random.nextInt(1_000_000);
                        table.setRank(id, x.rank);
                        x.onRank = random.nextBoolean();
                        table.setOnRank(id, x.onRank);
                    }
                    case 6 -> {
                        x.loading = random.nextBoolean();
                        table.setLoading(id, x.loading);
                        x.saving = random.nextBoolean();
                        table.setSavingCheckpoint(id, x.saving);
                        x.linked = random.nextBoolean();
                        table.setLinked(id, x.linked);
                    }
                    default -> {
                        table.remove(id);
                        live.remove(id);
                        retired.add(id);
                    }
                }
            }
            assertEquals(live.size(), table.live());
            if (step % 1_000 == 0 || live.size() < 50) {
                for (Map.Entry<Integer, Expected> e : live.entrySet()) {
                    check(table, e.getKey(), e.getValue());
                }
                for (int i = Math.max(0, retired.size() - 50); i < retired.size(); i++) {
                    int id = retired.get(i);
                    if (!live.containsKey(id)) { // after 256 reuses of a slot an id can come back: generations are 8 bits
                        assertNull(table.get(id), "retired id " + id + " still found");
                        assertFalse(table.isLive(id));
                    }
                }
            }
        }
        assertFalse(table.isLive(-5));
        assertNull(table.get(Integer.MAX_VALUE));
    }

    private static void check(TaskTable table, int id, Expected x) {
        assertTrue(table.isLive(id));
        assertSame(x.task, table.get(id));
        assertEquals(x.state, table.state(id));
        assertEquals(x.attempt, table.attempt(id));
        assertEquals(x.cores, table.cores(id));
        assertEquals(x.shard, table.shard(id));
        assertEquals(x.chunk, table.isRangeChunk(id));
        assertEquals(x.onRank, table.isOnRank(id));
        assertEquals(x.loading, table.isLoading(id));
        assertEquals(x.saving, table.isSavingCheckpoint(id));
        assertEquals(x.linked, table.isLinked(id));
        assertEquals(x.state == ShardState.RUNNING && x.onRank && !x.loading, table.runsNow(id, x.rank, x.attempt));
        assertFalse(table.runsNow(id, x.rank + 1, x.attempt));
        assertFalse(table.runsNow(id, x.rank, x.attempt + 1));
        if (x.rank > 0) {
            assertEquals(x.onRank, x.task.isOnRank());
        }
    }

    @Test
    void ranksKeepTheirAttemptsInSwapRemovalOrderAndTheirCoresHeld() {
        SplittableRandom random = new SplittableRandom(7);
        TaskTable table = new TaskTable();
        int ranks = 50;
        RankColumns columns = new RankColumns(ranks, table);
        List<List<Integer>> oracle = new ArrayList<>();
        long[] committed = new long[ranks + 1];
        for (int r = 0; r <= ranks; r++) {
            oracle.add(new ArrayList<>());
            columns.setCapacityClass(r, io.shatter.CapacityClass.values()[r % io.shatter.CapacityClass.values().length]);
            columns.setCores(r, r * 3);
            columns.setActive(r, r % 2 == 0);
        }
        for (int step = 0; step < 100_000; step++) {
            int rank = 1 + random.nextInt(ranks);
            List<Integer> held = oracle.get(rank);
            if (held.isEmpty() || random.nextInt(100) < 55) {
                int id = table.nextId();
                table.put(new Task(id, spec(step, 1), 0, 1, false, null, table), 1 + random.nextInt(8), step, false);
                columns.addAttempt(rank, id);
                held.add(id);
            } else {
                int id = held.get(random.nextInt(held.size()));
                columns.removeAttempt(rank, id);
                int i = held.indexOf(id);
                int last = held.remove(held.size() - 1);
                if (last != id) {
                    held.set(i, last);
                }
                table.remove(id);
            }
            if (random.nextInt(10) == 0) {
                columns.countCommit(rank);
                committed[rank]++;
            }
            assertEquals(held.size(), columns.attemptCount(rank));
            int cores = 0;
            for (int i = 0; i < held.size(); i++) {
                assertEquals(held.get(i), columns.attemptId(rank, i), "attempt " + i + " of rank " + rank);
                assertEquals(i, table.indexOnRank(held.get(i)));
                cores += table.cores(held.get(i));
            }
            assertEquals(cores, columns.heldCores(rank));
            assertEquals(committed[rank], columns.committed(rank));
            assertEquals(rank * 3, columns.cores(rank));
            assertEquals(rank % 2 == 0, columns.isActive(rank));
            assertEquals(io.shatter.CapacityClass.values()[rank % io.shatter.CapacityClass.values().length], columns.capacityClass(rank));
        }
    }
}
