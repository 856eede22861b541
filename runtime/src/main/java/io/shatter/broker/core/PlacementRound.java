package io.shatter.broker.core;

import io.shatter.broker.policy.Placement;
import io.shatter.broker.policy.PlacementPolicy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * One placement round of the core ({@link BrokerCore#dispatch}): ready shards go to free capacity,
 * highest priority first and, within a priority, in the order they became ready, skipping over at
 * most {@link #MAX_LOOKAHEAD} that must wait; then running CRITICAL shards get their shadows.
 */
final class PlacementRound {
    /** How many waiting shards one priority level may skip over to fill a slot (bounded backfill). */
    private static final int MAX_LOOKAHEAD = 8;

    private final BrokerCore core;
    private final List<Task> deferred = new ArrayList<>();
    /** Whether the warning that only the forecast holds work back was given since work last ran. */
    private boolean heldBackWarned;

    PlacementRound(BrokerCore core) {
        this.core = core;
    }

    void run() {
        updatePipelineDepth();
        for (ArrayDeque<Task> queue : core.ready) {
            deferred.clear();
            Task waited = null; // the last shard of this queue told to wait this round
            while (!queue.isEmpty() && deferred.size() < MAX_LOOKAHEAD && core.index.anyNonSpareRoom()) {
                Task task = queue.pollFirst();
                if (waited != null && waitsAlike(task, waited)) {
                    // Placing it would look at the same ranks, with less room now, and wait too.
                    core.counters.placementsHeldByForecast += waited.heldByForecast ? 1 : 0;
                    deferred.add(task);
                    continue;
                }
                Placement placement = core.policy.place(task, core.view);
                if (placement instanceof Placement.Run run) {
                    RankSlot slot = core.slots[run.rank()];
                    task.setPreemptedFor(null);
                    if (task.generator) {
                        Task chunk = core.commits.carveChunk(task, slot);
                        core.assign(chunk, slot);
                        if (core.commits.hasBlocksToCarve(task)) {
                            queue.addFirst(task);
                        }
                    } else {
                        core.assign(task, slot);
                    }
                } else if (placement instanceof Placement.Preempt p && task.preemptedFor() == null) {
                    core.requestPreemption((Task) p.victim(), task);
                    deferred.add(task);
                } else {
                    if (placement instanceof Placement.Wait w) {
                        task.heldByForecast = w.heldByForecast();
                        core.counters.placementsHeldByForecast += w.heldByForecast() ? 1 : 0;
                        waited = task;
                    }
                    deferred.add(task);
                }
            }
            for (int i = deferred.size() - 1; i >= 0; i--) {
                queue.addFirst(deferred.get(i));
            }
        }
        startShadows();
        warnIfOnlyTheForecastHoldsWorkBack();
    }

    /**
     * Whether {@code task} would be told to wait as {@code waited} was, in the same round: same
     * priority (same queue), cores and capabilities, and no inputs whose holders the policy would
     * look at besides the ranks with room ({@link PlacementPolicy}'s contract).
     */
    private static boolean waitsAlike(Task task, Task waited) {
        return !task.generator && !waited.generator && task.spec.cores() == waited.spec.cores()
                && task.spec.inputs().length == 0 && waited.spec.inputs().length == 0
                && task.spec.capabilities().equals(waited.spec.capabilities());
    }

    /**
     * Says so, once, when nothing runs anywhere, shards are ready and excess ranks have room: the
     * forecast's odds for those slots are too low. A user would otherwise see a hang.
     */
    private void warnIfOnlyTheForecastHoldsWorkBack() {
        if (core.index.heldAttempts() > 0) {
            heldBackWarned = false;
            return;
        }
        boolean anyReady = false;
        for (ArrayDeque<Task> queue : core.ready) {
            anyReady |= !queue.isEmpty();
        }
        if (anyReady && core.index.anyExcessRoom() && !heldBackWarned) {
            heldBackWarned = true;
            core.emit(new Command.Warn("Nothing is running: ready shards wait because the capacity forecaster gives the free excess "
                    + "ranks too low odds of outliving them (the placement policy's survival bar). They start when the forecast "
                    + "improves or reserved capacity is free; to use excess ranks regardless, lower the bar "
                    + "(new DefaultPlacementPolicy(bar)) or run without a capacity model."));
        }
    }

    /**
     * Shadow execution: each running CRITICAL shard gets a second attempt on free spare (else excess)
     * cores. The first to finish commits and the other is cancelled.
     */
    private void startShadows() {
        for (int i = core.unshadowed.size() - 1; i >= 0; i--) {
            Task primary = core.unshadowed.get(i);
            if (!primary.isOnRank() || primary.shadow() != null || primary.isShadow() || core.commits.isCommitted(primary.spec.index())) {
                core.unshadowed.remove(i);
                continue;
            }
            OptionalInt rank = core.policy.shadowRank(primary, core.view, primary.rank());
            if (rank.isEmpty()) {
                continue;
            }
            core.unshadowed.remove(i);
            Task shadow = core.newTask(primary.spec, 0, 1);
            primary.pairWith(shadow);
            core.counters.shadowAttempts++;
            core.assign(shadow, core.slots[rank.getAsInt()]);
        }
    }

    private void updatePipelineDepth() {
        core.index.setPipelineDepth(BatchSizing.tailDepth(BatchSizing.pipelineDepth(core.expectedRunNanos), core.readyShards(),
                core.index.activeNonSpareCores()));
    }

}
