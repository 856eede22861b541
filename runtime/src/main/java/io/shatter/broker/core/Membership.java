package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.ExcessCapacityFeed;
import io.shatter.ShatterException;
import io.shatter.graph.ShardSpec;
import io.shatter.graph.ShardState;
import io.shatter.observe.Mark;
import io.shatter.spi.CapacitySample;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which worker ranks the run has, and the capacity behind them: hellos (and the feasibility check
 * once all have joined), leaving, lost peers, revocations with their grace timers, restores, and
 * the capacity samples that feed the forecaster, revoke or restore excess ranks (with a capacity
 * feed) and decide how many excess workers to request.
 */
final class Membership {
    /** A rank that has not said hello by then is missing: fail clearly instead of waiting forever. */
    static final long JOIN_TIMEOUT_NANOS = 120_000_000_000L;

    private final BrokerCore core;
    private boolean allJoined;
    /** Fixed ranks that have not said hello yet (join slots are never waited for). */
    private int stillJoining;
    /** Excess ranks the last capacity sample allows (with a capacity feed); ranks that join beyond it are revoked. */
    private int excessRanksAllowed = Integer.MAX_VALUE;

    Membership(BrokerCore core) {
        this.core = core;
        for (RankSlot s : core.workerSlots) {
            stillJoining += s.status() == RankSlot.Status.JOINING ? 1 : 0;
        }
    }

    boolean allJoined() {
        return allJoined;
    }

    void armJoinDeadline() {
        core.timers.arm(core.now + JOIN_TIMEOUT_NANOS, new TimerKey.JoinDeadline());
    }

    void handle(Event event) {
        if (event instanceof Event.WorkerHello e) {
            onHello(e);
        } else if (event instanceof Event.WorkerLeaving e) {
            RankSlot slot = slot(e.rank());
            if (slot != null && slot.status() == RankSlot.Status.ACTIVE) {
                slot.setStatus(RankSlot.Status.REVOKING); // no new work; its yields and then its 'left' follow
                core.observer.mark(Mark.Kind.LEAVING, e.rank(), "");
                askedToYield(slot);
            }
        } else if (event instanceof Event.WorkerLeft e) {
            onLeft(e.rank());
        } else if (event instanceof Event.PeerLost e) {
            onPeerLost(e.rank(), e.reason());
        } else if (event instanceof Event.RevokeRequested e) {
            revoke(e.rank(), e.graceNanos());
        } else if (event instanceof Event.RestoreRequested e) {
            restore(e.rank());
        } else if (event instanceof Event.CapacityObserved e) {
            onCapacity(e);
        } else {
            throw new IllegalArgumentException("no handler for " + event);
        }
    }

    private RankSlot slot(int rank) {
        return rank > 0 && rank < core.slots.length ? core.slots[rank] : null;
    }

    private void onHello(Event.WorkerHello e) {
        RankSlot slot = slot(e.rank());
        if (slot == null) {
            return;
        }
        String fingerprint = core.graph.fingerprint();
        if (!fingerprint.equals(e.graphFingerprint()) && slot.joinSlot) {
            core.emit(new Command.Warn("a worker joining as rank " + e.rank() + " built a different graph (fingerprint "
                    + e.graphFingerprint() + ", broker has " + fingerprint + "); sent it away: start workers with the same "
                    + "command and arguments as the main job"));
            core.emit(new Command.SendAway(e.rank(), "built a different graph"));
            return;
        }
        if (!fingerprint.equals(e.graphFingerprint())) {
            core.fail(new ShatterException("rank " + e.rank() + " built a different graph (fingerprint " + e.graphFingerprint()
                    + ", broker has " + fingerprint + "): every rank must run the same program with the same arguments"));
            return;
        }
        if (slot.status() == RankSlot.Status.ACTIVE || slot.status() == RankSlot.Status.REVOKING) {
            return; // a duplicate hello changes nothing
        }
        boolean firstHello = slot.status() == RankSlot.Status.JOINING && !allJoined;
        slot.joined(e.cores(), Set.copyOf(e.capabilities()), core.now);
        revokeExcessBeyondAllowed();
        if (firstHello && --stillJoining == 0) {
            allJoined = true;
            checkFeasibility();
        }
    }

    /** Once every rank has joined: a shard that no rank could ever run fails the run now, not never. */
    private void checkFeasibility() {
        for (ShardSpec s : core.specs) {
            boolean possible = false;
            for (RankSlot r : core.workerSlots) {
                if (r.capacityClass != CapacityClass.SPARE && r.cores() >= s.cores() && r.capabilities().containsAll(s.capabilities())) {
                    possible = true;
                    break;
                }
            }
            if (!possible) {
                core.fail(new ShatterException("no rank can run shard '" + s.id() + "': it needs " + s.cores() + " core(s)"
                        + (s.capabilities().isEmpty() ? "" : " and capabilities " + s.capabilities())
                        + "; give a reserved or excess rank enough cores (--cores-per-rank) or those capabilities"));
                return;
            }
        }
    }

    private void onLeft(int rank) {
        RankSlot slot = slot(rank);
        // A rank says 'left' once it runs nothing, after answering (done, failed or yielded) every assignment it
        // had received: the frames of one link arrive in order. So what is still on its slot crossed the 'left'
        // on the way there and never started: requeued, not lost (a scancel'ed worker lost nothing).
        if (slot != null && slot.status() == RankSlot.Status.REVOKING) {
            vacate(slot, "left after revocation", false);
        } else if (slot != null && slot.joinSlot && slot.status() == RankSlot.Status.ACTIVE) {
            // A joined worker told to go by its own scheduler (Slurm's SIGTERM) has yielded its shards.
            vacate(slot, "left on its own", false);
        }
    }

    /** A transport reports that a rank died: its attempts are lost and resume from their checkpoints. */
    private void onPeerLost(int rank, String reason) {
        RankSlot slot = slot(rank);
        if (slot == null || slot.status() == RankSlot.Status.GONE || slot.status() == RankSlot.Status.VACANT) {
            return; // already handled (a joined worker that said it left, then closed its connection)
        }
        core.emit(new Command.Warn("rank " + rank + " is gone (" + reason + "); its shards resume from their last checkpoints elsewhere"));
        loseRank(slot, reason);
        if (!core.settings.ranksMayBeRestored() && core.workerSlots.stream().allMatch(s -> s.status() == RankSlot.Status.GONE)) {
            // (join slots become VACANT, not GONE: a run with join slots waits for workers to join)
            core.fail(new ShatterException("every worker rank is gone (last: rank " + rank + ", " + reason
                    + "); completed shards are kept, run the same command again to continue"));
        }
    }

    /** Revokes worker rank {@code rank}: its attempts get {@code graceNanos} to save their state, then are lost. */
    void revoke(int rank, long graceNanos) {
        RankSlot slot = slot(rank);
        if (slot == null || slot.status() != RankSlot.Status.ACTIVE || core.isFinished()) {
            return;
        }
        core.counters.revocations++;
        core.observer.mark(Mark.Kind.REVOKED, rank, "");
        askedToYield(slot);
        slot.revocationEpoch++;
        slot.setStatus(RankSlot.Status.REVOKING);
        core.emit(new Command.Revoke(rank, graceNanos));
        core.timers.arm(core.now + graceNanos, new TimerKey.GraceOver(rank, slot.revocationEpoch));
    }

    /** A revoked or leaving rank's attempts yield at their next safepoint: their preemption latency runs from now. */
    private void askedToYield(RankSlot slot) {
        for (Task t : slot.attemptsHeld()) {
            if (!t.preemptLatencyOpen) {
                t.preemptRequestedAt = core.now;
                t.preemptLatencyOpen = true;
            }
        }
    }

    /** Gives a revoked rank back: it rejoins with a hello. */
    void restore(int rank) {
        RankSlot slot = slot(rank);
        if (slot != null && slot.status() == RankSlot.Status.GONE && !core.isFinished()) {
            slot.setStatus(RankSlot.Status.JOINING);
            core.emit(new Command.Restore(rank));
        }
    }

    void onTimer(TimerKey key) {
        if (key instanceof TimerKey.GraceOver g) {
            RankSlot slot = core.slots[g.rank()];
            if (slot.status() == RankSlot.Status.REVOKING && slot.revocationEpoch == g.epoch()) {
                loseRank(slot, "grace period over"); // a grace of an earlier revocation finds another epoch and does nothing
            }
        } else if (key instanceof TimerKey.JoinDeadline && !allJoined) {
            List<Integer> missing = new ArrayList<>();
            for (RankSlot s : core.workerSlots) {
                if (s.status() == RankSlot.Status.JOINING) {
                    missing.add(s.rank);
                }
            }
            core.fail(new ShatterException("worker rank(s) " + missing + " did not join within "
                    + JOIN_TIMEOUT_NANOS / 1_000_000_000 + " s: check that every rank runs the same command"));
        }
    }

    /**
     * One capacity sample: the forecaster learns from it; with a capacity feed, excess ranks are
     * revoked (highest first) or restored (lowest first) to what the idle cores allow; with excess
     * workers, the forecast decides how many more to request.
     */
    private void onCapacity(Event.CapacityObserved e) {
        core.counters.capacitySamples++;
        int held = coresHeldByExcessWorkers();
        core.forecaster.observe(availableToThisRun(e.sample(), held));
        if (core.isFinished()) {
            return;
        }
        if (core.settings.coresPerExcessRank().isPresent()) {
            followCapacity(e.sample().idleCores(), core.settings.coresPerExcessRank().getAsInt());
        }
        int slots = core.settings.excessWorkerSlots();
        if (slots > 0) {
            int each = core.settings.coresPerExcessWorker();
            // The forecast counts the cores the run's workers hold: what is worth asking for more is the rest.
            int moreCores = core.forecaster.excessWorkersToRequest(slots * each + held) - held;
            int wanted = Math.max(0, Math.min(slots, moreCores / each));
            if (wanted > 0) {
                core.emit(new Command.RequestExcessWorkers(wanted));
            }
        }
    }

    /**
     * What the forecaster learns: the excess partition's cores this run can have. With excess
     * workers (batch jobs that joined), the cores they hold are not idle in the partition but are
     * the run's until the batch system takes them back, which it does only once the idle cores are
     * gone; so they count, and a slot survives while idle plus held cover it and the live slots
     * below it. With a capacity feed the excess ranks stand for idle cores, which count alone.
     */
    private static CapacitySample availableToThisRun(CapacitySample sample, int held) {
        return held == 0 ? sample : new CapacitySample(sample.epochSeconds(), sample.partition(), sample.totalCores(),
                sample.idleCores() + held, sample.pendingCores());
    }

    /** Cores of the excess partition that the run's joined workers hold (their batch jobs' cores). */
    private int coresHeldByExcessWorkers() {
        if (core.settings.excessWorkerSlots() == 0) {
            return 0;
        }
        int held = 0;
        for (RankSlot s : core.workerSlots) {
            if (s.joinSlot && (s.status() == RankSlot.Status.ACTIVE || s.status() == RankSlot.Status.REVOKING)) {
                held += core.settings.coresPerExcessWorker();
            }
        }
        return held;
    }

    private void followCapacity(int idleCores, int coresPerRank) {
        List<RankSlot> excess = new ArrayList<>();
        for (RankSlot s : core.workerSlots) {
            if (s.capacityClass == CapacityClass.EXCESS) {
                excess.add(s);
            }
        }
        int allowed = ExcessCapacityFeed.allowedRanks(idleCores, coresPerRank, excess.size());
        excessRanksAllowed = allowed;
        // Joining ranks count as live: they were restored and are on their way.
        int live = (int) excess.stream().filter(s -> s.status() == RankSlot.Status.ACTIVE || s.status() == RankSlot.Status.JOINING).count();
        for (int i = excess.size() - 1; i >= 0 && live > allowed; i--) {
            if (excess.get(i).status() == RankSlot.Status.ACTIVE) {
                revoke(excess.get(i).rank, core.settings.revokeGraceNanos());
                live--;
            }
        }
        for (int i = 0; i < excess.size() && live < allowed; i++) {
            if (excess.get(i).status() == RankSlot.Status.GONE) {
                restore(excess.get(i).rank);
                live++;
            }
        }
    }

    /**
     * Ranks still joining when a sample lowered the allowance could not be revoked then; when they
     * join, the highest live excess ranks go until the allowance holds. Otherwise they would sit
     * active with room that the forecast (rightly) gives no odds, until the next sample.
     */
    private void revokeExcessBeyondAllowed() {
        while (!core.isFinished() && core.index.activeExcessRanks() > excessRanksAllowed) {
            revoke(core.index.highestActiveExcessRank(), core.settings.revokeGraceNanos());
        }
    }

    /** The rank is gone: its attempts are lost (each resumes from its last checkpoint), its cached outputs forgotten. */
    void loseRank(RankSlot slot, String reason) {
        vacate(slot, reason, true);
    }

    /** Ends the rank's attempts ({@code lost}: their work is lost, else they never started) and frees its slot. */
    private void vacate(RankSlot slot, String reason, boolean lost) {
        long now = core.now;
        core.observer.mark(Mark.Kind.LOST, slot.rank, reason);
        for (Task task : slot.attemptsHeld()) {
            task.preemptLatencyOpen = false; // lost, not preempted: no latency to measure
            if (lost) {
                long since = Math.max(task.assignedAt, task.checkpointAt);
                core.counters.lostWorkNanos += Math.max(0, now - since);
                core.counters.lostAttempts++;
            }
            core.attempts.endAttempt(task, Math.max(0, now - task.assignedAt), lost ? "lost" : "returned"); // returned: never ran, nothing to draw
            if (core.attempts.handOverToPartner(task)) {
                continue;
            }
            task.moveTo(ShardState.LOST);
            task.moveTo(ShardState.QUEUED);
            core.attempts.requeue(task);
        }
        if (slot.status() == RankSlot.Status.ACTIVE || slot.status() == RankSlot.Status.REVOKING) {
            core.counters.coreTimeAvailable(slot.capacityClass, (now - slot.activeSince) * slot.cores());
        }
        for (int shard : slot.cachedOutputs) {
            if (core.holders[shard] != null) {
                core.holders[shard].clear(slot.rank);
            }
        }
        slot.cachedOutputs.clear();
        slot.setStatus(slot.joinSlot ? RankSlot.Status.VACANT : RankSlot.Status.GONE);
    }
}
