package io.shatter.broker.core;

import io.shatter.CapacityClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * Automatic batching of assignments: the attempts the core assigns to one rank while it handles
 * events and places shards are held here and leave as {@link Command.AssignBatch}es of at most
 * {@link BatchSizing#shardsPerMessage} attempts (about a millisecond of measured work each; fewer
 * on an excess rank the forecast may lose soon). Every batch leaves before any other message to
 * its rank, so a worker hears of an attempt before it hears a preemption or cancellation of it,
 * and all of them leave when the core returns to its caller ({@link #flushAll}).
 */
final class AssignmentBatcher {
    private final IntUnaryOperator limitFor;
    private final Consumer<Command> out;
    /** Per rank: the assignments not yet sent, or null; the batch's size limit beside it. */
    private final List<Command.Assign>[] pending;
    private final int[] limit;
    /** Ranks given a batch since the last {@link #flushAll}, in the order of their first assignment (deterministic output). */
    private final List<Integer> order = new ArrayList<>();

    /** Batches for ranks {@code 0..ranks-1}, of at most {@code limitFor(rank)} attempts (asked once per batch), sent to {@code out}. */
    @SuppressWarnings("unchecked")
    AssignmentBatcher(int ranks, IntUnaryOperator limitFor, Consumer<Command> out) {
        this.limitFor = limitFor;
        this.out = out;
        this.pending = new List[ranks];
        this.limit = new int[ranks];
    }

    /** Holds {@code assign} for its rank; a batch that reaches its size leaves at once. */
    void add(Command.Assign assign) {
        int rank = assign.rank();
        List<Command.Assign> batch = pending[rank];
        if (batch == null) {
            limit[rank] = Math.max(1, limitFor.applyAsInt(rank));
            batch = pending[rank] = new ArrayList<>(Math.min(limit[rank], 64));
            order.add(rank);
        }
        batch.add(assign);
        if (batch.size() >= limit[rank]) {
            pending[rank] = new ArrayList<>(Math.min(limit[rank], 64));
            out.accept(new Command.AssignBatch(rank, Collections.unmodifiableList(batch)));
        }
    }

    /** Sends {@code rank}'s held assignments, before another message to it. */
    void flush(int rank) {
        if (rank < pending.length && pending[rank] != null) {
            send(rank); // its entry in the order stays; flushAll skips it
        }
    }

    /** Sends every held assignment: the core is about to return to its caller. */
    void flushAll() {
        if (order.isEmpty()) {
            return;
        }
        for (int rank : order) {
            if (pending[rank] != null) {
                send(rank);
            }
        }
        order.clear();
    }

    private void send(int rank) {
        List<Command.Assign> batch = pending[rank];
        pending[rank] = null;
        if (!batch.isEmpty()) {
            out.accept(new Command.AssignBatch(rank, Collections.unmodifiableList(batch)));
        }
    }

    /** The batch size for a rank of {@code core} now, from the measured shard times and, for excess capacity, the forecast. */
    static int limitFor(BrokerCore core, int rank) {
        long expected = core.expectedRunNanos;
        RankSlot slot = core.slots[rank];
        if (slot.capacityClass != CapacityClass.EXCESS) {
            return BatchSizing.shardsPerMessage(expected);
        }
        double coresToKeep = core.view.excessCoresToKeep(slot);
        return BatchSizing.shardsPerMessage(expected,
                work -> core.forecaster.survivalProbability(Duration.ofNanos(work), coresToKeep));
    }
}
