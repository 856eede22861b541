package io.shatter.broker.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How held assignments leave: split at the size limit, per rank on demand, all at once in first-assigned order. */
class AssignmentBatcherTest {
    private final List<Command> sent = new ArrayList<>();

    private static Command.Assign assign(int rank, int taskId) {
        return new Command.Assign(rank, taskId, 1, taskId, 0, 1, 0, Optional.empty(), List.of());
    }

    /** Rank r's batch sizes and task ids, in the order sent. */
    private List<String> batches() {
        List<String> out = new ArrayList<>();
        for (Command c : sent) {
            Command.AssignBatch b = (Command.AssignBatch) c;
            out.add(b.rank() + ":" + b.assignments().stream().map(a -> String.valueOf(a.taskId())).toList());
        }
        return out;
    }

    @Test
    void aBatchLeavesWhenFullAndTheRestWhenFlushed() {
        AssignmentBatcher batcher = new AssignmentBatcher(4, rank -> rank == 1 ? 3 : 100, sent::add);
        for (int t = 0; t < 7; t++) {
            batcher.add(assign(1, t));
        }
        assertEquals(List.of("1:[0, 1, 2]", "1:[3, 4, 5]"), batches(), "full batches leave at once");
        batcher.add(assign(2, 10));
        batcher.add(assign(3, 11));
        batcher.add(assign(2, 12));
        batcher.flushAll();
        assertEquals(List.of("1:[0, 1, 2]", "1:[3, 4, 5]", "1:[6]", "2:[10, 12]", "3:[11]"), batches(),
                "the rest in the order each rank was first given one");
        sent.clear();
        batcher.flushAll();
        assertTrue(sent.isEmpty(), "nothing is sent twice");
    }

    @Test
    void flushingOneRankSendsOnlyItsBatchAndLeavesTheOthersHeld() {
        AssignmentBatcher batcher = new AssignmentBatcher(4, rank -> 100, sent::add);
        batcher.add(assign(1, 0));
        batcher.add(assign(2, 1));
        batcher.flush(2); // as the core does before a preemption or cancellation to rank 2
        assertEquals(List.of("2:[1]"), batches());
        batcher.add(assign(2, 3));
        batcher.flushAll();
        assertEquals(List.of("2:[1]", "1:[0]", "2:[3]"), batches());
    }

    @Test
    void aLimitBelowOneMeansEveryAttemptAlone() {
        AssignmentBatcher batcher = new AssignmentBatcher(2, rank -> 0, sent::add);
        batcher.add(assign(1, 0));
        batcher.add(assign(1, 1));
        assertEquals(List.of("1:[0]", "1:[1]"), batches());
    }
}
