package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.ShardGraph;
import io.shatter.broker.RangeReduction;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.spi.PersistenceForecaster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The production {@link BrokerCore} driven by simulated ranks on a manual clock, one thread, every
 * choice drawn from one seeded {@link Random}: result order, durations, failures, revocations with
 * graces that sometimes run out, ranks killed and restored, checkpoints made durable late, late
 * results of attempts already given up. The same seed gives the same run. Shard values are pure
 * functions of their inputs ({@link #valueOf}), so the outputs can be checked against a sequential
 * evaluation. A violated property throws {@link AssertionError} naming it.
 */
final class SimulatedCluster {
    /** What happens next, in time order (ties by insertion). */
    private record Pending(long at, long sequence, Runnable action) {
    }

    /** An attempt the simulated ranks know about. */
    private static final class Attempt {
        final int rank;
        final Command.Assign assign;
        final long startedAt;
        long step;
        boolean over;

        Attempt(int rank, Command.Assign assign, long startedAt) {
            this.rank = rank;
            this.assign = assign;
            this.startedAt = startedAt;
        }
    }

    private final long seed;
    private final Random random;
    final ShardGraph graph;
    private final List<ShardSpec> specs;
    /** The graph's shards and the value a sequential evaluation gives each. */
    private final RandomShardGraph shards;
    private final RankLayout layout;
    private final BrokerCore core;
    private final PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.sequence, b.sequence));
    private final List<Command> commands = new ArrayList<>();
    private final Map<Long, Attempt> attempts = new HashMap<>();
    private final List<Map<Integer, byte[]>> cached = new ArrayList<>();
    private final boolean[] alive;
    /** Each restore makes a rank a new process: what the old one still had scheduled does nothing. */
    private final int[] incarnation;
    private final Map<String, SavedState> checkpointStore = new HashMap<>();
    private final int[] commits;
    private long sequence;
    private long now;
    private int events;
    private final boolean zombieResults;

    /** Counts of what happened, to show the mix really occurred. */
    long revocations;
    long kills;
    long zombiesSent;
    long lateCheckpoints;
    /** Dispatch rounds that sent one rank several assignments at once (a batch). */
    long batches;
    /** Revocations and preemptions that reached a rank holding more attempts than its cores (part of a batch queued). */
    long batchesDisturbed;

    SimulatedCluster(long seed) {
        this(seed, true);
    }

    SimulatedCluster(long seed, boolean zombieResults) {
        this.seed = seed;
        this.random = new Random(seed);
        this.zombieResults = zombieResults;
        int reserved = 1 + random.nextInt(3);
        int excess = 1 + random.nextInt(3);
        int spare = random.nextInt(2);
        layout = RankLayout.of(reserved, excess, spare, 1 + random.nextInt(2));
        int n = 6 + random.nextInt(20);
        shards = new RandomShardGraph(seed, random, n);
        graph = shards.graph;
        specs = graph.shards();
        commits = new int[n];
        CoreSettings settings = new CoreSettings(layout, 2_000_000, true, true, 1_000_000, OptionalInt.empty(), 0, 1, true);
        core = new BrokerCore(graph, settings, new DefaultPlacementPolicy(), new PersistenceForecaster(), commands::add);
        alive = new boolean[layout.workers() + 1];
        incarnation = new int[layout.workers() + 1];
        for (int r = 0; r <= layout.workers(); r++) {
            cached.add(new HashMap<>());
        }
    }

    /** Runs to the end; returns the events handled. */
    int run() {
        at(0, () -> {
            for (int r = 1; r <= layout.workers(); r++) {
                alive[r] = true;
                deliver(new Event.WorkerHello(r, layout.cores().get(r - 1), List.of(), graph.fingerprint()));
            }
        });
        core.start(0);
        drainCommands();
        scheduleChaos();
        boolean quiet = false;
        while (!core.isFinished()) {
            long next = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
            long timer = core.nextDeadline().orElse(Long.MAX_VALUE);
            if (next == Long.MAX_VALUE && timer == Long.MAX_VALUE && !quiet) {
                quiet = true; // the loop always places after its last batch: do so before calling it stuck
                core.dispatch(now);
                drainCommands();
                continue;
            }
            if (next == Long.MAX_VALUE && timer == Long.MAX_VALUE) {
                throw new AssertionError("stuck: nothing pending and the run is not finished: " + core);
            }
            if (++events > 200_000) {
                throw new AssertionError("no end after 200,000 events: " + core);
            }
            quiet = false;
            if (timer < next) {
                now = timer;
                core.handle(new Event.TimerDue(), now);
            } else {
                Pending p = queue.poll();
                now = p.at;
                p.action.run();
            }
            if (random.nextInt(4) != 0) { // sometimes several events make one batch before placement
                core.dispatch(now);
            }
            drainCommands();
            checkInvariants();
        }
        checkOutcome();
        return events;
    }

    private void at(long time, Runnable action) {
        queue.add(new Pending(time, sequence++, action));
    }

    private void deliver(Event event) {
        if (DEBUG) {
            System.out.println(now + " EVENT " + event);
        }
        core.handle(event, now);
    }

    private void scheduleChaos() {
        for (int i = 0; i < 3 + random.nextInt(6); i++) {
            long t = 1_000_000L * random.nextInt(60);
            at(t, this::chaos);
        }
    }

    /** One fault: revoke (with a grace the rank may overrun), or kill, an excess rank; restored later. */
    private void chaos() {
        List<Integer> excess = new ArrayList<>();
        for (int r = 1; r <= layout.workers(); r++) {
            if (layout.classOf(r) == CapacityClass.EXCESS && alive[r]) {
                excess.add(r);
            }
        }
        if (excess.isEmpty() || core.isFinished()) {
            return;
        }
        int rank = excess.get(random.nextInt(excess.size()));
        if (random.nextBoolean()) {
            revocations++;
            deliver(new Event.RevokeRequested(rank, 1_000_000L * random.nextInt(4)));
        } else {
            kills++;
            kill(rank);
            deliver(new Event.PeerLost(rank, "killed by the simulation"));
        }
        at(now + 1_000_000L * (1 + random.nextInt(20)), () -> deliver(new Event.RestoreRequested(rank)));
    }

    private void kill(int rank) {
        alive[rank] = false;
        cached.get(rank).clear();
        for (Attempt a : attempts.values()) {
            if (a.rank == rank && !a.over) {
                a.over = true;
                maybeZombie(a);
            }
        }
    }

    /** A given-up attempt whose result still arrives later (the broker must drop it). */
    private void maybeZombie(Attempt a) {
        if (zombieResults && random.nextInt(3) == 0) {
            zombiesSent++;
            // Sometimes long after: the rank may be back by then and run the same unit as a newer attempt.
            at(now + 1_000_000L * random.nextInt(40), () -> {
                deliver(new Event.AttemptDone(a.rank, a.assign.taskId(), a.assign.attempt(), 1, shards.outputOf(a.assign, this::valueOf)));
                for (Command c : commands) {
                    if (c instanceof Command.Reduce || (c instanceof Command.AppendJournal j
                            && (j.record() instanceof JournalRecord.ShardCommitted || j.record() instanceof JournalRecord.ChunkCommitted))) {
                        throw new AssertionError("fencing: the late result of attempt " + a.assign.attempt() + " of task "
                                + a.assign.taskId() + " (" + specs.get(a.assign.shardIndex()).id() + "), given up earlier, was committed");
                    }
                }
            });
        }
    }

    private void drainCommands() {
        while (!commands.isEmpty()) {
            List<Command> batch = new ArrayList<>(commands);
            commands.clear();
            countBatches(batch);
            for (Command c : batch) {
                carryOut(c);
            }
        }
    }

    private void countBatches(List<Command> round) {
        for (Command c : round) {
            if (c instanceof Command.AssignBatch b) {
                checkBatch(b);
                batches += b.assignments().size() > 1 ? 1 : 0;
            }
            int rank = c instanceof Command.Revoke r ? r.rank() : c instanceof Command.Preempt p ? p.rank() : 0;
            if (rank > 0 && heldBy(rank) > layout.cores().get(rank - 1)) {
                batchesDisturbed++;
            }
        }
    }

    private long heldBy(int rank) {
        return attempts.values().stream().filter(a -> a.rank == rank && !a.over).count();
    }

    static boolean DEBUG = Boolean.getBoolean("shatter.sim.debug");

    private void carryOut(Command c) {
        if (DEBUG) {
            System.out.println(now + " COMMAND " + c);
        }
        if (c instanceof Command.AssignBatch b) {
            b.assignments().forEach(this::onAssign);
        } else if (c instanceof Command.Preempt p) {
            heardOf(p.rank(), p.taskId(), p.attempt(), "preemption");
            Attempt a = attempts.get(key(p.taskId(), p.attempt()));
            if (a != null && !a.over && alive[a.rank]) {
                at(now + 1_000L * random.nextInt(500), () -> yieldAttempt(a));
            }
        } else if (c instanceof Command.Cancel x) {
            heardOf(x.rank(), x.taskId(), x.attempt(), "cancellation");
            Attempt a = attempts.get(key(x.taskId(), x.attempt()));
            if (a != null && !a.over) {
                a.over = true;
                maybeZombie(a);
            }
        } else if (c instanceof Command.Revoke r) {
            int rank = r.rank();
            int incarnationNow = incarnation[rank];
            at(now + (long) (r.graceNanos() * 2 * random.nextDouble()), () -> {
                if (incarnation[rank] == incarnationNow) {
                    leave(rank);
                }
            });
        } else if (c instanceof Command.Restore r) {
            int rank = r.rank();
            // A worker handles its messages in order: it has left (if it was revoked) before it is restored.
            if (alive[rank]) {
                leave(rank);
            }
            incarnation[rank]++;
            at(now + 1_000L * random.nextInt(2000), () -> {
                alive[rank] = true;
                cached.get(rank).clear(); // a restored rank is a new process
                deliver(new Event.WorkerHello(rank, layout.cores().get(rank - 1), List.of(), graph.fingerprint()));
            });
        } else if (c instanceof Command.Release r) {
            cached.get(r.rank()).remove(r.shard());
        } else if (c instanceof Command.SaveCheckpoint s) {
            boolean late = random.nextInt(4) == 0;
            lateCheckpoints += late ? 1 : 0;
            at(now + 1_000L * random.nextInt(late ? 20_000 : 300), () -> {
                SavedState old = checkpointStore.get(s.shardId());
                if (old == null || old.step() <= s.state().step()) {
                    checkpointStore.put(s.shardId(), s.state());
                }
                deliver(new Event.CheckpointDurable(s.taskId(), s.attempt(), s.state().step(),
                        new Event.SaveOutcome.Written(s.state().state().length)));
            });
        } else if (c instanceof Command.LoadCheckpoint l) {
            at(now + 1_000L * random.nextInt(300), () -> deliver(new Event.CheckpointLoaded(l.taskId(), l.attempt(),
                    Optional.ofNullable(checkpointStore.get(l.shardId())))));
        } else if (c instanceof Command.DiscardCheckpoints d) {
            d.shardIds().forEach(checkpointStore::remove);
        } else if (c instanceof Command.Reduce r) {
            Event.ReduceOutcome outcome = RangeReduction.reduce(specs.get(r.shard()), r.chunkOutputs());
            at(now + 1_000L * random.nextInt(300), () -> deliver(new Event.RangeReduced(r.shard(), outcome)));
        } else if (c instanceof Command.AppendJournal j && j.record() instanceof JournalRecord.ShardCommitted sc) {
            if (++commits[sc.shard()] > 1) {
                throw new AssertionError("exactly once: shard " + specs.get(sc.shard()).id() + " committed twice");
            }
        }
    }

    private static long key(int taskId, int attempt) {
        return ((long) taskId << 32) | attempt;
    }

    /** A batch holds at least one attempt, at most the most a message may, all for its rank and all different. */
    private void checkBatch(Command.AssignBatch b) {
        int n = b.assignments().size();
        if (n < 1 || n > BatchSizing.MAX_PER_MESSAGE) {
            throw new AssertionError("batches: a batch of " + n + " assignments");
        }
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Command.Assign a : b.assignments()) {
            if (a.rank() != b.rank() || !seen.add(key(a.taskId(), a.attempt()))) {
                throw new AssertionError("batches: " + a + " in a batch for rank " + b.rank() + " (another rank, or twice)");
            }
        }
    }

    /** Assigned attempts, dead ranks' included. */
    private final java.util.Set<Long> everAssigned = new java.util.HashSet<>();
    /**
     * Attempts preempted or cancelled before any assignment of them was sent (an attempt still
     * loading its checkpoint): their assignment must then never come, or a rank would run an
     * attempt the broker has given up.
     */
    private final java.util.Set<Long> stoppedUnsent = new java.util.HashSet<>();

    private void heardOf(int rank, int taskId, int attempt, String what) {
        if (!everAssigned.contains(key(taskId, attempt))) {
            stoppedUnsent.add(key(taskId, attempt));
        }
    }

    private void onAssign(Command.Assign a) {
        if (stoppedUnsent.contains(key(a.taskId(), a.attempt()))) {
            throw new AssertionError("order: attempt " + a.attempt() + " of task " + a.taskId() + " was assigned to rank " + a.rank()
                    + " after its preemption or cancellation");
        }
        everAssigned.add(key(a.taskId(), a.attempt()));
        ShardSpec spec = specs.get(a.shardIndex());
        if (a.resumeFrom().isEmpty() && spec.kind() != ShardKind.RESUMABLE) {
            assignedTo.add(a.rank()); // (a resumable assignment leaves after its load: placement was earlier)
        }
        for (int dep : spec.dependencies()) {
            if (commits[dep] == 0) {
                throw new AssertionError("dependencies: " + spec.id() + " assigned before its dependency "
                        + specs.get(dep).id() + " committed");
            }
        }
        if (!alive[a.rank()]) {
            return; // a message to a dead rank is lost; the broker learns of the death on its own
        }
        for (Command.Input in : a.inputs()) {
            if (in instanceof Command.Input.Sent s) {
                cached.get(a.rank()).put(s.shard(), s.bytes());
            } else if (!cached.get(a.rank()).containsKey(in.shard())) {
                throw new AssertionError("inputs: rank " + a.rank() + " told it holds the output of "
                        + specs.get(in.shard()).id() + ", which it does not");
            }
        }
        Attempt attempt = new Attempt(a.rank(), a, now);
        attempt.step = a.resumeFrom().map(SavedState::step).orElse(0L);
        attempts.put(key(a.taskId(), a.attempt()), attempt);
        long duration = 1_000L * (100 + random.nextInt(5_000));
        if (spec.kind() == ShardKind.RESUMABLE) {
            for (int k = 1; k <= 3; k++) {
                long step = attempt.step + k;
                at(now + duration * k / 4, () -> {
                    if (!attempt.over && alive[attempt.rank]) {
                        attempt.step = step;
                        deliver(new Event.CheckpointTaken(attempt.rank, a.taskId(), a.attempt(),
                                new SavedState(step, Codecs.LONG.encode(step))));
                    }
                });
            }
        }
        boolean fails = a.attempt() <= 2 && random.nextInt(8) == 0;
        at(now + duration, () -> {
            if (attempt.over || !alive[attempt.rank]) {
                return;
            }
            attempt.over = true;
            if (fails) {
                deliver(new Event.AttemptFailed(attempt.rank, a.taskId(), a.attempt(), duration, "simulated failure"));
            } else {
                byte[] output = shards.outputOf(a, this::valueOf);
                if (spec.kind() != ShardKind.RANGE && graph.dependentsOf(a.shardIndex()).length > 0) {
                    cached.get(attempt.rank).put(a.shardIndex(), output); // as the worker does: the broker counts it a holder
                }
                deliver(new Event.AttemptDone(attempt.rank, a.taskId(), a.attempt(), duration, output));
            }
        });
    }

    private void yieldAttempt(Attempt a) {
        if (a.over || !alive[a.rank]) {
            return;
        }
        a.over = true;
        boolean resumable = specs.get(a.assign.shardIndex()).kind() == ShardKind.RESUMABLE;
        Optional<SavedState> state = resumable ? Optional.of(new SavedState(a.step, Codecs.LONG.encode(a.step))) : Optional.empty();
        deliver(new Event.AttemptYielded(a.rank, a.assign.taskId(), a.assign.attempt(), state, now - a.startedAt));
    }

    /** A revoked rank yields what it runs, says it left, and is gone until restored. */
    private void leave(int rank) {
        if (!alive[rank]) {
            return;
        }
        for (Attempt a : new ArrayList<>(attempts.values())) {
            if (a.rank == rank && !a.over) {
                yieldAttempt(a);
            }
        }
        deliver(new Event.WorkerLeft(rank));
        alive[rank] = false;
        cached.get(rank).clear();
    }

    private long valueOf(int shard) {
        byte[] out = core.output(shard);
        if (out == null) {
            throw new AssertionError("inputs: " + specs.get(shard).id() + " is an input of a running shard but has no output");
        }
        return Codecs.LONG.decode(out);
    }

    /** Ranks that were given an attempt since the last check. */
    private final java.util.Set<Integer> assignedTo = new java.util.TreeSet<>();

    /**
     * No rank is given more than its cores allow (times the pipeline depth it queues ahead). A rank
     * may hold more after the depth shrinks (longer shards), but must then be given nothing more.
     */
    private void checkInvariants() {
        for (int rank : assignedTo) {
            var r = core.ranks().get(rank - 1);
            if (r.freeUnits() < 0) {
                throw new AssertionError("capacity: " + r + " was given more than its cores allow (depth " + r.pipelineDepth() + ")");
            }
        }
        assignedTo.clear();
    }

    private void checkOutcome() {
        if (core.failure().isPresent()) {
            throw new AssertionError("the run failed: " + core.failure().get().getMessage());
        }
        for (int i = 0; i < specs.size(); i++) {
            if (commits[i] != 1) {
                throw new AssertionError("exactly once: shard " + specs.get(i).id() + " committed " + commits[i] + " times");
            }
            if (Codecs.LONG.decode(core.output(i)) != shards.expected[i]) {
                throw new AssertionError("sequential result: shard " + specs.get(i).id() + " gave " + Codecs.LONG.decode(core.output(i))
                        + ", a sequential evaluation " + shards.expected[i]);
            }
        }
        if (core.index.heldAttempts() != 0) {
            throw new AssertionError("every attempt ends: " + core.index.heldAttempts() + " attempts still held at the end");
        }
    }

    /** The core's figures (for the mix the test reports). */
    io.shatter.RunSummary summary() {
        return core.summary(0, now);
    }
}
