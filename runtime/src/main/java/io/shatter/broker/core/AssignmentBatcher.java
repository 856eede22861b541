package io.shatter.broker.core;

import io.shatter.CapacityClass;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
    /**
     * Per rank: the first assignment not yet sent (null: none), the rest once there is a second,
     * and the batch's size limit. A batch of one, the common case for long shards and for a
     * round that frees one slot, then costs no list of its own.
     */
    private final Command.Assign[] first;
    private final List<Command.Assign>[] more;
    private final int[] limit;
    /** Ranks given a batch since the last {@link #flushAll}, in the order of their first assignment (deterministic output). */
    private int[] order = new int[16];
    private int ordered;

    /** Batches for ranks {@code 0..ranks-1}, of at most {@code limitFor(rank)} attempts (asked once per batch), sent to {@code out}. */
    @SuppressWarnings("unchecked")
    AssignmentBatcher(int ranks, IntUnaryOperator limitFor, Consumer<Command> out) {
        this.limitFor = limitFor;
        this.out = out;
        this.first = new Command.Assign[ranks];
        this.more = new List[ranks];
        this.limit = new int[ranks];
    }

    /** Holds {@code assign} for its rank; a batch that reaches its size leaves at once. */
    void add(Command.Assign assign) {
        int rank = assign.rank();
        int held;
        if (first[rank] == null) {
            limit[rank] = Math.max(1, limitFor.applyAsInt(rank));
            first[rank] = assign;
            if (ordered == order.length) {
                order = Arrays.copyOf(order, ordered * 2);
            }
            order[ordered++] = rank;
            held = 1;
        } else {
            if (more[rank] == null) {
                more[rank] = new ArrayList<>(Math.min(limit[rank], 16));
                more[rank].add(first[rank]);
            }
            more[rank].add(assign);
            held = more[rank].size();
        }
        if (held >= limit[rank]) {
            send(rank); // its entry in the order stays; flushAll skips it unless it is given more
        }
    }

    /** Sends {@code rank}'s held assignments, before another message to it. */
    void flush(int rank) {
        if (rank < first.length && first[rank] != null) {
            send(rank);
        }
    }

    /** Sends every held assignment: the core is about to return to its caller. */
    void flushAll() {
        for (int i = 0; i < ordered; i++) {
            if (first[order[i]] != null) {
                send(order[i]);
            }
        }
        ordered = 0;
    }

    private void send(int rank) {
        List<Command.Assign> batch = more[rank] == null ? List.of(first[rank]) : Collections.unmodifiableList(more[rank]);
        first[rank] = null;
        more[rank] = null;
        out.accept(new Command.AssignBatch(rank, batch));
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
