package io.shatter.broker.core;

import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

import java.util.ArrayList;
import java.util.List;


/**
 * Resumable shards' states on their way to and from the checkpoint store, which the shell works
 * off the loop. One write per task at a time: a state that arrives while the previous one is being
 * written waits, and a newer one replaces it (only the newest is worth writing), so a disk slower
 * than the checkpoint interval never builds a backlog. A resumable attempt's assignment leaves only
 * once its checkpoint is loaded.
 */
final class CheckpointQueue {
    private final BrokerCore core;

    CheckpointQueue(BrokerCore core) {
        this.core = core;
    }

    /** A fresh run must not pick up the states an earlier run of this graph left behind. */
    void discardEarlierRuns() {
        List<String> resumable = new ArrayList<>();
        for (ShardSpec s : core.specs) {
            if (s.kind() == ShardKind.RESUMABLE) {
                resumable.add(s.id());
            }
        }
        if (!resumable.isEmpty()) {
            core.emit(new Command.DiscardCheckpoints(resumable));
        }
    }

    void loadThenAssign(Task task, int attempt) {
        task.setLoading(true);
        core.emit(new Command.LoadCheckpoint(task.id, attempt, task.name));
    }

    void onLoaded(Event.CheckpointLoaded e) {
        Task task = core.currentTaskLoading(e.taskId(), e.attempt());
        if (task == null || core.stopped) {
            return; // the attempt ended while its state was loading (lost, cancelled): nothing to send
        }
        task.setLoading(false);
        if (e.state().isPresent() && !task.isShadow()) {
            core.counters.checkpointRestores++; // a shadow starting from its primary's state is not a recovery
        }
        core.sendAssignment(task, e.attempt(), e.state());
    }

    void onTaken(Event.CheckpointTaken e) {
        Task task = core.taskById(e.taskId());
        if (task == null || !task.isCurrent(e.attempt()) || !task.isOnRank() || task.rank() != e.rank() || task.isShadow()) {
            return; // an attempt given up, or a shadow: only the attempt that owns the shard saves its state
        }
        save(task, e.attempt(), e.state());
    }

    void save(Task task, int attempt, SavedState state) {
        if (task.isSavingCheckpoint()) {
            task.nextCheckpoint = new Task.PendingSave(attempt, state, core.now);
            return;
        }
        write(task, attempt, state, core.now);
    }

    private void write(Task task, int attempt, SavedState state, long takenAt) {
        task.setSavingCheckpoint(true);
        task.savingTakenAt = takenAt;
        core.emit(new Command.SaveCheckpoint(task.id, attempt, task.spec.id(), state));
    }

    void onDurable(Event.CheckpointDurable e) {
        Task task = core.taskById(e.taskId());
        if (task == null || !task.isSavingCheckpoint()) {
            return;
        }
        task.setSavingCheckpoint(false);
        if (e.outcome() instanceof Event.SaveOutcome.Written w) {
            core.counters.checkpointsSaved++;
            core.counters.checkpointBytes += w.bytes();
            core.observer.checkpointSaved(task.name, e.step(), w.bytes());
            core.emit(new Command.AppendJournal(new JournalRecord.CheckpointSaved(task.name, e.attempt(), e.step())));
            if (e.step() > task.checkpointStep) {
                task.checkpointStep = e.step();
                task.checkpointAt = task.savingTakenAt;
            }
        } else if (e.outcome() instanceof Event.SaveOutcome.Failed f) {
            core.emit(new Command.Warn("cannot save the checkpoint of " + task.name + " at step " + e.step() + ": " + f.message()
                    + "; the previous one stays"));
        }
        Task.PendingSave next = task.nextCheckpoint;
        task.nextCheckpoint = null;
        if (next != null && !core.commits.isCommitted(task.spec.index())) {
            write(task, next.attempt(), next.state(), next.takenAt());
            return;
        }
        notePreemptionOver(task);
        if (task.requeueWhenDurable) {
            task.requeueWhenDurable = false;
            core.attempts.requeue(task);
        }
        core.retireIfDone(task);
    }

    /** A preempted attempt's slot is free and its state durable: the preemption latency ends here. */
    void notePreemptionOver(Task task) {
        if (task.preemptLatencyOpen) {
            core.counters.preemptionLatencyMaxNanos = Math.max(core.counters.preemptionLatencyMaxNanos,
                    core.now - task.preemptRequestedAt);
            task.preemptLatencyOpen = false;
        }
    }

}
