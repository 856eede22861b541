package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardState;

import java.util.List;
import java.util.Optional;

/**
 * What a worker's report does to an attempt: done (commit, cancel a shadow partner), failed (retry
 * elsewhere or fail the run), yielded (save its state, requeue), or lost with its rank; and how the
 * two attempts of a shadow pair hand the shard to each other.
 */
final class AttemptOutcomes {
    private final BrokerCore core;

    AttemptOutcomes(BrokerCore core) {
        this.core = core;
    }

    /**
     * The common case, written against the task table by id: a shard's attempt that ends
     * unpaired touches no task or spec object (at 10,000 ranks those are cache misses; see {@link TaskTable}).
     */
    void onDone(Event.AttemptDone e) {
        int id = e.taskId();
        if (!core.isCurrentAttempt(e.rank(), id, e.attempt())) {
            return;
        }
        Optional<List<JournalRecord.SharedWrite>> sharedWrites = core.shared.commit(id, e.attempt());
        if (sharedWrites.isEmpty()) {
            onSharedConflict(core.tasks.get(id), e);
            return;
        }
        endAttempt(id, e.runNanos(), "completed");
        core.tasks.moveTo(id, ShardState.COMPLETED);
        if (core.tasks.isLinked(id)) {
            cancelPartner(core.tasks.get(id));
        }
        core.ranks.countCommit(e.rank());
        long run = e.runNanos();
        core.expectedRunNanos = core.expectedRunNanos == 0 ? Math.max(1, run) : (core.expectedRunNanos * 7 + run) / 8;
        if (core.tasks.isRangeChunk(id)) {
            core.commits.commitChunk(core.tasks.get(id), e.output(), run, sharedWrites.get());
        } else {
            core.commits.commitShard(core.tasks.shard(id), e.output(), core.slots[e.rank()], sharedWrites.get());
        }
        core.retireIfDone(id);
    }

    /**
     * A shared value the attempt read changed before it could commit: its result would rest on a
     * stale read, so it is discarded and the shard runs again (its shadow, if any, carries on).
     */
    private void onSharedConflict(Task task, Event.AttemptDone e) {
        endAttempt(task, e.runNanos(), "shared-state conflict");
        core.counters.lostWorkNanos += e.runNanos();
        if (handOverToPartner(task)) {
            return;
        }
        core.counters.retries++;
        task.moveTo(ShardState.QUEUED);
        requeue(task);
    }

    void onFailed(Event.AttemptFailed e) {
        Task task = core.currentTask(e.rank(), e.taskId(), e.attempt());
        if (task == null) {
            return;
        }
        endAttempt(task, e.runNanos(), "failed");
        core.counters.lostWorkNanos += e.runNanos();
        task.failures++;
        if (handOverToPartner(task)) {
            core.emit(new Command.Warn("shard " + task.name + " attempt on rank " + e.rank() + " failed (" + e.description()
                    + "); its shadow pair carries on"));
            return;
        }
        if (task.failures > task.spec.retries()) {
            task.moveTo(ShardState.FAILED);
            core.retireIfDone(task);
            core.fail(new io.shatter.ShardFailedException(task.name, e.description(), task.failures));
            return;
        }
        core.emit(new Command.Warn("shard " + task.name + " attempt " + e.attempt() + " failed on rank " + e.rank() + " ("
                + e.description() + "); retrying elsewhere"));
        core.counters.retries++;
        task.failedRank = e.rank();
        task.hasFailedRank = true;
        task.moveTo(ShardState.QUEUED);
        requeue(task);
    }

    void onYielded(Event.AttemptYielded e) {
        Task task = core.currentTask(e.rank(), e.taskId(), e.attempt());
        if (task == null) {
            return;
        }
        boolean started = e.state().isPresent() || e.runNanos() > 0;
        endAttempt(task, e.runNanos(), started ? "preempted" : "returned");
        if (task.isShadow()) {
            handOverToPartner(task); // a shadow asked to leave just stops; its primary carries on
            return;
        }
        if (e.state().isPresent() && task.spec.kind() == ShardKind.RESUMABLE) {
            core.checkpoints.save(task, e.attempt(), e.state().get()); // the preemption ends once this is durable
        } else {
            core.checkpoints.notePreemptionOver(task); // nothing to save: the slot is free now
        }
        if (e.state().isEmpty() && started) {
            core.counters.lostWorkNanos += e.runNanos(); // a plain shard or range chunk stopped early starts again from scratch
        }
        if (started) {
            core.counters.preemptions++;
        }
        if (handOverToPartner(task)) {
            return;
        }
        task.moveTo(ShardState.PREEMPTED);
        task.moveTo(ShardState.QUEUED);
        requeue(task);
    }

    /** Takes an attempt off its rank, counting its busy time and recording it in the timeline. */
    void endAttempt(Task task, long runNanos, String outcome) {
        endAttempt(task.id, runNanos, outcome);
    }

    /** {@link #endAttempt(Task, long, String)} by id: the task object is looked at only if the timeline records or it is linked. */
    private void endAttempt(int id, long runNanos, String outcome) {
        TaskTable tasks = core.tasks;
        int attempt = tasks.attempt(id);
        core.shared.discard(id, attempt); // committed already if it committed: an attempt's writes die with it
        int rank = tasks.rank(id);
        CapacityClass capacityClass = core.ranks.capacityClass(rank);
        core.ranks.removeAttempt(rank, id); // what RankSlot.remove does, without reaching the rank's object
        core.index.heldChanged(rank);
        core.index.attemptHeld(-1);
        core.counters.attemptEnded(capacityClass, runNanos * tasks.cores(id));
        if (core.observer.recordsAttempts()) {
            Task task = tasks.get(id);
            core.observer.attemptEnded(rank, capacityClass, id, task.isShadow() ? task.name + " (shadow)" : task.name,
                    task.spec.priority(), attempt, runNanos, outcome);
        }
        tasks.setLoading(id, false);
        if (tasks.isLinked(id)) {
            Task task = tasks.get(id);
            Task other = task.preemptedFor();
            if (other != null) {
                other.setPreemptedFor(null); // the CRITICAL shard it made room for may look again
                task.setPreemptedFor(null);
            }
        }
    }

    void requeue(Task task) {
        task.leaveRank();
        if (task.isSavingCheckpoint()) {
            task.requeueWhenDurable = true; // the next attempt must find the state it just saved
            return;
        }
        core.ready[task.spec.priority().ordinal()].addFirst(task); // it became ready long ago: keep its place
    }

    /**
     * When one attempt of a shadow pair stops without a result (failed, yielded or lost), the other
     * carries the shard on alone: nothing is requeued. False when {@code task} had no partner.
     */
    boolean handOverToPartner(Task task) {
        Task partner = task.partner();
        if (partner == null) {
            return false;
        }
        task.moveTo(ShardState.CANCELLED);
        task.leaveRank();
        task.unpair();
        partner.failures = Math.max(partner.failures, task.failures);
        core.taskOfShard[partner.spec.index()] = partner;
        core.unshadowed.add(partner); // it may get a new shadow when cores free up
        core.retireIfDone(task);
        return true;
    }

    /** The winner of a shadow pair finished: its partner is cancelled at once and its cores freed. */
    private void cancelPartner(Task winner) {
        Task partner = winner.partner();
        if (partner == null) {
            return;
        }
        if (winner.isShadow()) {
            core.counters.shadowWins++;
        }
        winner.unpair();
        core.taskOfShard[winner.spec.index()] = winner;
        if (partner.isOnRank() && partner.state() == ShardState.RUNNING) {
            core.emit(new Command.Cancel(partner.rank(), partner.id, partner.attempt()));
            endAttempt(partner, Math.max(0, core.now - partner.assignedAt), "cancelled");
            partner.moveTo(ShardState.CANCELLED);
            partner.leaveRank();
            core.retireIfDone(partner);
        }
    }

}
