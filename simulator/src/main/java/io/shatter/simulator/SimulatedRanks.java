package io.shatter.simulator;

import io.shatter.Priority;
import io.shatter.RankLayout;
import io.shatter.ShardGraph;
import io.shatter.broker.core.Command;
import io.shatter.broker.core.Event;
import io.shatter.broker.core.SavedState;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The worker ranks, simulated: each answers the broker's messages as {@code io.shatter.worker.Worker}
 * does, with a lane per core, assignments queued by priority, and a shard's run replaced by its
 * modelled duration. Resumable shards reach a safepoint after every step, where they stop when
 * cancelled, yield their state when preempted or revoked, and send a checkpoint when one is due;
 * range chunks do the same between blocks; plain shards run to their end whatever happens (their
 * result is then stale), as plain shards that do not poll {@code isCancelled()} do. A revoked rank
 * yields what it queued at once, leaves once its lanes are free, and its process is killed when
 * the grace is over (Slurm's SIGKILL after SIGTERM); a restored rank is a new process.
 * Messages take {@code latency} each way.
 */
final class SimulatedRanks {
    /** What a range chunk or a shard returns: the simulator does not compute values. */
    private static final byte[] OUTPUT = new byte[8];
    static final byte[] NO_STATE = new byte[0];

    private final Simulation sim;
    private final List<ShardSpec> specs;
    private final WorkModel work;
    private final String fingerprint;
    private final long latency;
    private final Rank[] ranks;
    private final HostCpus host;
    /** Attempts running, in start order: with a shared host, each change of how many run moves their next safepoints. */
    private final LinkedHashSet<Attempt> running = new LinkedHashSet<>();

    /** One simulated worker process (a new incarnation after each restore). */
    private final class Rank {
        final int rank;
        final int cores;
        int incarnation;
        boolean alive = true;
        boolean revoked;
        boolean leavePending;
        int freeCores;
        int running;
        @SuppressWarnings("unchecked")
        final ArrayDeque<Attempt>[] queued = new ArrayDeque[Priority.values().length];
        final Map<Long, Attempt> live = new HashMap<>();

        Rank(int rank, int cores) {
            this.rank = rank;
            this.cores = cores;
            this.freeCores = cores;
            for (int p = 0; p < queued.length; p++) {
                queued[p] = new ArrayDeque<>();
            }
        }
    }

    /** One attempt on a rank. Steps are safepoints (resumable) or blocks (range); a plain shard has one step. */
    private static final class Attempt {
        final Command.Assign assign;
        final ShardSpec spec;
        final Rank rank;
        final int incarnation;
        boolean started;
        boolean yieldRequested;
        boolean cancelled;
        boolean over;
        /** Bumped whenever the next safepoint event is rescheduled: an older one finds another version and does nothing. */
        int version;
        /** The step of the next safepoint event. */
        long pendingStep;
        long startedAt;
        /** When it started, on the host's virtual clock (progress). */
        long startedAtVirtual;
        long firstStep;
        long lastStep;
        long stepNanos;
        long lastCheckpointAtVirtual;

        Attempt(Command.Assign assign, ShardSpec spec, Rank rank) {
            this.assign = assign;
            this.spec = spec;
            this.rank = rank;
            this.incarnation = rank.incarnation;
        }

        long key() {
            return key(assign.taskId(), assign.attempt());
        }

        static long key(int taskId, int attempt) {
            return ((long) taskId << 32) | (attempt & 0xFFFFFFFFL);
        }

        /** The step the attempt has reached at virtual time {@code virtualNow} (steps since it started, plus where it resumed). */
        long stepAt(long virtualNow) {
            return Math.min(lastStep, firstStep + (virtualNow - startedAtVirtual) / stepNanos);
        }

        /** When it reaches {@code step}, on the host's virtual clock. */
        long virtualTimeOfStep(long step) {
            return startedAtVirtual + (step - firstStep) * stepNanos;
        }
    }

    SimulatedRanks(Simulation sim, ShardGraph graph, RankLayout layout, WorkModel work, long latency, double hostCpus) {
        this.sim = sim;
        this.host = new HostCpus(hostCpus);
        this.specs = graph.shards();
        this.work = work;
        this.fingerprint = graph.fingerprint();
        this.latency = latency;
        this.ranks = new Rank[layout.workers() + 1];
        for (int r = 1; r <= layout.workers(); r++) {
            ranks[r] = new Rank(r, layout.cores().get(r - 1));
        }
    }

    /** Every rank starts and says hello. */
    void startAll() {
        for (int r = 1; r < ranks.length; r++) {
            hello(ranks[r]);
        }
    }

    private void hello(Rank r) {
        toBroker(new Event.WorkerHello(r.rank, r.cores, List.of(), fingerprint));
    }

    private void toBroker(Event event) {
        sim.deliverAt(sim.now() + latency, event);
    }

    /** A message from the broker, sent now: it arrives after the latency. */
    void send(Command.ToRank message) {
        sim.at(sim.now() + latency, () -> receive(message));
    }

    private void receive(Command.ToRank message) {
        Rank r = ranks[message.rank()];
        if (message instanceof Command.Restore) {
            restart(r);
            return;
        }
        if (!r.alive) {
            return; // a message to a dead process is lost; the broker learns of it on its own
        }
        if (message instanceof Command.AssignBatch batch) {
            for (Command.Assign a : batch.assignments()) {
                onAssign(r, a);
            }
        } else if (message instanceof Command.Preempt p) {
            Attempt a = r.live.get(Attempt.key(p.taskId(), p.attempt()));
            if (a != null && !a.started) {
                unqueue(a);
                toBroker(new Event.AttemptYielded(r.rank, p.taskId(), p.attempt(), Optional.empty(), 0));
            } else if (a != null) {
                a.yieldRequested = true;
                rescheduleAtNextSafepoint(a);
            }
        } else if (message instanceof Command.Cancel c) {
            Attempt a = r.live.get(Attempt.key(c.taskId(), c.attempt()));
            if (a != null && !a.started) {
                unqueue(a);
            } else if (a != null) {
                a.cancelled = true;
                rescheduleAtNextSafepoint(a);
            }
        } else if (message instanceof Command.Revoke v) {
            onRevoke(r, v.graceNanos());
        }
        // Release, SharedReply and Shutdown change nothing a simulation measures.
    }

    private void onAssign(Rank r, Command.Assign assign) {
        ShardSpec spec = specs.get(assign.shardIndex());
        if (r.revoked) {
            toBroker(new Event.AttemptYielded(r.rank, assign.taskId(), assign.attempt(), Optional.empty(), 0));
            return;
        }
        Attempt a = new Attempt(assign, spec, r);
        r.live.put(a.key(), a);
        r.queued[spec.priority().ordinal()].addLast(a);
        startWhatFits(r);
    }

    private void unqueue(Attempt a) {
        a.over = true;
        a.rank.queued[a.spec.priority().ordinal()].remove(a);
        a.rank.live.remove(a.key());
    }

    private void startWhatFits(Rank r) {
        while (!r.revoked) {
            Attempt next = null;
            for (ArrayDeque<Attempt> q : r.queued) {
                Attempt head = q.peekFirst();
                if (head != null && head.spec.cores() <= r.freeCores) {
                    next = q.pollFirst();
                    break;
                }
            }
            if (next == null) {
                return;
            }
            start(next);
        }
    }

    private void start(Attempt a) {
        Rank r = a.rank;
        r.freeCores -= a.spec.cores();
        r.running++;
        a.started = true;
        a.startedAt = sim.now();
        host.running(a.startedAt, a.spec.cores());
        a.startedAtVirtual = host.virtualAt(a.startedAt);
        a.lastCheckpointAtVirtual = a.startedAtVirtual;
        a.stepNanos = work.stepNanos(a.spec);
        if (a.spec.kind() == ShardKind.RANGE) {
            a.firstStep = a.assign.blockFrom();
            a.lastStep = a.assign.blockTo();
        } else {
            a.firstStep = a.assign.resumeFrom().map(SavedState::step).orElse(0L);
            a.lastStep = Math.max(a.firstStep, work.steps(a.spec));
        }
        scheduleNextSafepoint(a, false);
        if (host.shared()) {
            running.add(a);
            rescheduleOthers(a);
        }
    }

    /** The host's rate changed: every other running attempt reaches its next safepoint at another time. */
    private void rescheduleOthers(Attempt changed) {
        if (!host.shared()) {
            return;
        }
        for (Attempt other : running) {
            if (other != changed) {
                issue(other);
            }
        }
    }

    /** Schedules the next step at which something happens: the end, a checkpoint due, or (if asked) the very next safepoint. */
    private void scheduleNextSafepoint(Attempt a, boolean flagged) {
        long now = sim.now();
        long current = a.stepAt(host.virtualAt(now));
        long step = a.lastStep;
        if (a.spec.kind() != ShardKind.PLAIN && flagged) {
            step = Math.min(a.lastStep, Math.max(current + 1, a.firstStep + 1));
        } else if (a.spec.kind() == ShardKind.RESUMABLE) {
            step = Math.min(step, nextCheckpointStep(a, current));
        }
        a.pendingStep = step;
        issue(a);
    }

    /** Puts the attempt's next safepoint event on the queue (an earlier one becomes stale). */
    private void issue(Attempt a) {
        long at = Math.max(sim.now(), host.wallAt(a.virtualTimeOfStep(a.pendingStep)));
        int version = ++a.version;
        long target = a.pendingStep;
        sim.at(at, () -> {
            if (a.version == version && !a.over) {
                atSafepoint(a, target);
            }
        });
    }

    private void rescheduleAtNextSafepoint(Attempt a) {
        if (a.spec.kind() != ShardKind.PLAIN) {
            scheduleNextSafepoint(a, true);
        }
    }

    /** The first step after {@code current} at which the worker would send a checkpoint. */
    private long nextCheckpointStep(Attempt a, long current) {
        long next = Long.MAX_VALUE;
        long every = a.assign.checkpointEveryNanos();
        if (every > 0) {
            long due = a.lastCheckpointAtVirtual + every; // the first safepoint at or after this time
            long steps = Math.max(1, ceilDiv(due - a.startedAtVirtual, a.stepNanos));
            next = Math.max(current + 1, a.firstStep + steps);
        }
        long everySteps = a.spec.checkpointEverySteps();
        if (everySteps > 0) {
            next = Math.min(next, (current / everySteps + 1) * everySteps);
        }
        return next;
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    private void atSafepoint(Attempt a, long step) {
        long now = sim.now();
        Rank r = a.rank;
        int taskId = a.assign.taskId();
        int attempt = a.assign.attempt();
        boolean plain = a.spec.kind() == ShardKind.PLAIN;
        if (!plain && a.cancelled) {
            finish(a);
            return;
        }
        if (!plain && a.yieldRequested) {
            Optional<SavedState> state = a.spec.kind() == ShardKind.RESUMABLE
                    ? Optional.of(new SavedState(step, NO_STATE)) : Optional.empty();
            toBroker(new Event.AttemptYielded(r.rank, taskId, attempt, state, now - a.startedAt));
            finish(a);
            return;
        }
        if (step >= a.lastStep) {
            if (!a.cancelled) {
                toBroker(work.fails(a.spec, taskId, attempt)
                        ? new Event.AttemptFailed(r.rank, taskId, attempt, now - a.startedAt, "simulated failure")
                        : new Event.AttemptDone(r.rank, taskId, attempt, now - a.startedAt, OUTPUT));
            }
            finish(a);
            return;
        }
        // A checkpoint due at this safepoint.
        toBroker(new Event.CheckpointTaken(r.rank, taskId, attempt, new SavedState(step, NO_STATE)));
        a.lastCheckpointAtVirtual = host.virtualAt(now);
        scheduleNextSafepoint(a, false);
    }

    /** The attempt's lane is free again. */
    private void finish(Attempt a) {
        Rank r = a.rank;
        a.over = true;
        stopRunning(a);
        if (a.incarnation != r.incarnation || !r.alive) {
            return;
        }
        r.live.remove(a.key());
        r.freeCores += a.spec.cores();
        r.running--;
        if (r.leavePending && r.running == 0) {
            leave(r);
        } else {
            startWhatFits(r);
        }
    }

    private void onRevoke(Rank r, long graceNanos) {
        r.revoked = true;
        r.leavePending = true;
        for (ArrayDeque<Attempt> q : r.queued) {
            for (Attempt a : q) {
                a.over = true;
                r.live.remove(a.key());
                toBroker(new Event.AttemptYielded(r.rank, a.assign.taskId(), a.assign.attempt(), Optional.empty(), 0));
            }
            q.clear();
        }
        List<Attempt> running = new ArrayList<>(r.live.values());
        running.sort((x, y) -> Long.compare(x.key(), y.key())); // HashMap order is not part of the model
        for (Attempt a : running) {
            a.yieldRequested = true;
            rescheduleAtNextSafepoint(a);
        }
        if (r.running == 0) {
            leave(r);
        }
        int incarnation = r.incarnation;
        sim.at(sim.now() + graceNanos, () -> {
            if (r.incarnation == incarnation && r.alive && r.revoked) {
                kill(r); // the grace is over: the batch system kills what is left
            }
        });
    }

    /** The rank yielded everything: it says it left, and its process ends. */
    private void leave(Rank r) {
        r.leavePending = false;
        toBroker(new Event.WorkerLeft(r.rank));
        kill(r);
    }

    private void kill(Rank r) {
        r.alive = false;
        for (Attempt a : r.live.values()) {
            a.over = true;
            stopRunning(a);
        }
        r.live.clear();
        for (ArrayDeque<Attempt> q : r.queued) {
            q.clear();
        }
        r.running = 0;
        r.freeCores = r.cores;
    }

    /** A running attempt ends (done, yielded, cancelled or killed): its cores are free for the others on the host. */
    private void stopRunning(Attempt a) {
        if (host.shared() && running.remove(a)) {
            host.running(sim.now(), -a.spec.cores());
            rescheduleOthers(a);
        }
    }

    /** Restore: a new process on the rank, which says hello. */
    private void restart(Rank r) {
        if (r.alive) {
            kill(r); // a worker handles its messages in order: it left (or was killed) before it is restored
        }
        r.incarnation++;
        r.alive = true;
        r.revoked = false;
        r.leavePending = false;
        hello(r);
    }
}
