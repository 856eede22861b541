package io.shatter.broker;

import io.shatter.CapacityClass;
import io.shatter.Codec;
import io.shatter.ExcessCapacityFeed;
import io.shatter.Priority;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.RunDirectoryException;
import io.shatter.RunSummary;
import io.shatter.ShardFailedException;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.SharedState;
import io.shatter.observe.Mark;
import io.shatter.observe.TimelineRecorder;
import io.shatter.checkpoint.CheckpointStore;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.graph.ShardState;
import io.shatter.protocol.Messages;
import io.shatter.protocol.WireReader;
import io.shatter.protocol.WireWriter;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * All of the broker's scheduling state and logic, as one single-threaded state machine: worker
 * messages, timers and capacity changes go in; assignments, preemptions and revocations come out
 * through an {@link Outbox}. It never blocks and never reads the wall clock directly, so the same
 * code runs in the real broker loop, in deterministic tests with a manual clock, and in
 * trace-driven simulations.
 *
 * <p>Reading order for newcomers: {@link #start}, {@link #dispatch} (placement), the
 * {@code on*} handlers (what each worker message does), then revocation and the summary. With a
 * run directory, every commit is also appended to the {@link Journal}, which {@link #start}
 * replays first, so that a broker started again skips what was committed before.
 */
public final class Scheduler implements Messages.BrokerHandler, ClusterView {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /**
     * Keep about this much work queued per core, so that a rank never idles through a round trip to
     * the broker (two thread wakeups, and on a busy node a wait for a CPU slice).
     */
    private static final long PIPELINE_TARGET_NANOS = 10_000_000;
    /** Shards longer than this are not queued ahead: late binding balances long work better. */
    private static final long PIPELINE_MAX_SHARD_NANOS = 50_000_000;
    private static final int MAX_PIPELINE_DEPTH = 1024;
    /** How many waiting shards one priority level may skip over to fill a slot (bounded backfill). */
    private static final int MAX_LOOKAHEAD = 8;
    /** Upper bound on a range chunk's expected run on excess capacity: a revocation loses at most this much. */
    private static final long EXCESS_CHUNK_TARGET_NANOS = 50_000_000;
    /**
     * Odds the forecaster must give an excess slot of outliving a range chunk; a chunk is halved
     * until it has them (a revoked chunk is recomputed, so shorter chunks lose less).
     */
    private static final double EXCESS_CHUNK_SURVIVAL = 0.9;
    /** Shortest chunk the forecaster can ask for: below about a millisecond, round trips cost more than revocations. */
    private static final long MIN_CHUNK_NANOS = 1_000_000;
    /** A rank that has not said hello by then is missing: fail clearly instead of waiting forever. */
    private static final long JOIN_TIMEOUT_NANOS = 120_000_000_000L;
    /** What a shared-state key never set reads as. */
    private static final SharedState.Entry UNSET = new SharedState.Entry(0, new byte[0]);

    /** Where outgoing messages go: one buffer per destination rank, flushed by the caller. */
    public interface Outbox {
        /** The buffer for messages to {@code rank}. */
        WireWriter to(int rank);
    }

    /**
     * Runs checkpoint file IO away from the event loop, so that writing a large state never stalls
     * scheduling. {@code io} runs on an IO thread and returns its error or null; {@code onLoop} then
     * runs back on the event loop with that result. Saves and discards run in submission order.
     */
    public interface CheckpointIo {
        /** Runs {@code io}, then hands its outcome to {@code onLoop} on the event loop. */
        void submit(Supplier<IOException> io, Consumer<IOException> onLoop);

        /** Runs the IO on the calling thread: for tests and simulations driven by a manual clock. */
        CheckpointIo INLINE = (io, onLoop) -> onLoop.accept(io.get());
    }

    private final ShardGraph graph;
    private final List<ShardSpec> specs;
    private final RunConfig config;
    private final Outbox outbox;
    private final Clock clock;
    private final PlacementPolicy policy;
    private final CapacityForecaster forecaster;
    private final CheckpointStore checkpoints;
    private final CheckpointIo checkpointIo;
    private final String graphId;

    private final List<Task> tasks = new ArrayList<>();
    private final Task[] taskOfShard;
    private final RangeState[] ranges;
    private final int[] pendingDependencies;
    private final int[] consumersLeft;
    private final byte[][] outputs;
    private final BitSet[] holders;
    private final boolean[] committed;
    private final int[] lastAttemptOfShard;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Task>[] ready = new ArrayDeque[Priority.values().length];
    private final List<Task> deferred = new ArrayList<>();
    /** Running CRITICAL attempts still without a shadow (started as soon as spare or excess cores are free). */
    private final List<Task> unshadowed = new ArrayList<>();
    private final RankSlot[] slots;
    private final List<RankSlot> workerSlots;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final Random random;
    private final TimelineRecorder timeline;
    /** The run's shared key-value store ({@link SharedState}). */
    private final Map<String, SharedState.Entry> shared = new HashMap<>();

    private long startedAt;
    private long finishedAt = -1;
    private int shardsCompleted;
    private boolean stopped;
    private ShatterException failure;
    private int timerSequence;
    private boolean feasibilityChecked;
    /** Whether {@link #warnIfOnlyTheForecastHoldsWorkBack} has spoken since work last ran. */
    private boolean heldBackWarned;
    /**
     * Whether this run continues an earlier one (from the broker journal): then the checkpoints on
     * disk are its own and running shards resume from them. Checkpoints of committed shards are
     * kept until the next fresh run of the graph, so they can be inspected after the run.
     */
    private boolean resumingEarlierRun;
    private long expectedRunNanos;

    // Counters for the summary.
    private long attemptsStarted;
    private long attemptsEnded;
    private long preemptions;
    private long revocations;
    private long lostAttempts;
    private long lostWorkNanos;
    private long retries;
    private long staleResults;
    private long checkpointsSaved;
    private long checkpointBytes;
    private long checkpointRestores;
    private long preemptionLatencyMaxNanos;
    private long shadowAttempts;
    private long shadowWins;
    private long resumedFromJournal;

    /** The run directory's journal, if {@link RunConfig#runDirectory()} is set; see the journal section below. */
    private Journal journal;
    private boolean journalForceTimerArmed;
    private final Map<CapacityClass, Long> busyCoreNanos = new EnumMap<>(CapacityClass.class);
    private final Map<CapacityClass, Long> availableCoreNanos = new EnumMap<>(CapacityClass.class);

    /**
     * A scheduler for {@code graph} over the worker ranks of {@code layout}.
     *
     * @param outbox where messages to ranks are written
     * @param clock  the time source (the system clock in production)
     */
    public Scheduler(ShardGraph graph, RunConfig config, Outbox outbox, Clock clock) {
        this(graph, config, outbox, clock, CheckpointIo.INLINE);
    }

    /**
     * A scheduler whose checkpoint writes go through {@code checkpointIo} (the broker loop's IO thread).
     */
    public Scheduler(ShardGraph graph, RunConfig config, Outbox outbox, Clock clock, CheckpointIo checkpointIo) {
        this.checkpointIo = checkpointIo;
        this.graph = graph;
        this.specs = graph.shards();
        this.config = config;
        this.outbox = outbox;
        this.clock = clock;
        this.policy = config.policy();
        this.forecaster = config.forecaster();
        this.checkpoints = config.checkpointStore();
        this.graphId = graph.name() + "-" + graph.fingerprint();
        this.random = new Random(config.seed());
        this.timeline = new TimelineRecorder(clock, config.recordTrace());
        int n = specs.size();
        taskOfShard = new Task[n];
        ranges = new RangeState[n];
        pendingDependencies = new int[n];
        consumersLeft = new int[n];
        outputs = new byte[n][];
        holders = new BitSet[n];
        committed = new boolean[n];
        lastAttemptOfShard = new int[n];
        for (ShardSpec s : specs) {
            pendingDependencies[s.index()] = s.dependencies().length;
            for (int in : s.inputs()) {
                consumersLeft[in]++;
            }
        }
        for (int p = 0; p < ready.length; p++) {
            ready[p] = new ArrayDeque<>();
        }
        RankLayout layout = config.layout();
        slots = new RankSlot[layout.workers() + 1];
        List<RankSlot> workers = new ArrayList<>();
        for (int r = 1; r <= layout.workers(); r++) {
            slots[r] = new RankSlot(r, layout.classOf(r), layout.isJoinSlot(r));
            workers.add(slots[r]);
        }
        workerSlots = Collections.unmodifiableList(workers);
        for (CapacityClass c : CapacityClass.values()) {
            busyCoreNanos.put(c, 0L);
            availableCoreNanos.put(c, 0L);
        }
    }

    // ---------------------------------------------------------------- start and placement

    /** Makes the shards without dependencies ready and arms the revocation timer, if any. */
    public void start() {
        startedAt = clock.nanoTime();
        timeline.start();
        if (!openJournal()) {
            return;
        }
        resumingEarlierRun = journal != null && journal.recordsReplayed() > 0;
        if (!resumingEarlierRun) {
            discardEarlierCheckpoints();
        }
        // Collected first: making a fully restored range shard ready commits it, which readies its dependents itself.
        List<Integer> initiallyReady = new ArrayList<>();
        for (ShardSpec s : specs) {
            if (pendingDependencies[s.index()] == 0 && !committed[s.index()]) {
                initiallyReady.add(s.index());
            }
        }
        for (int index : initiallyReady) {
            makeReady(index);
        }
        if (shardsCompleted == specs.size() && finishedAt < 0) {
            finishedAt = startedAt;
            journalRunFinished();
        }
        if (config.revokeEveryNanos() > 0) {
            schedule(config.revokeEveryNanos(), this::revokeRandomExcessRank);
        }
        if (config.excessCapacityFeed() != null) {
            schedule(0, this::followCapacityFeed);
        }
        schedule(JOIN_TIMEOUT_NANOS, () -> {
            if (!feasibilityChecked) {
                List<Integer> missing = new ArrayList<>();
                for (RankSlot s : workerSlots) {
                    if (s.status == RankSlot.Status.JOINING) {
                        missing.add(s.rank);
                    }
                }
                fail(new ShatterException("worker rank(s) " + missing + " did not join within "
                        + JOIN_TIMEOUT_NANOS / 1_000_000_000 + " s: check that every rank runs the same command"));
            }
        });
    }

    /**
     * Places ready shards on free capacity, highest priority first and, within a priority, in the
     * order they became ready. Called after each batch of events.
     */
    public void dispatch() {
        if (stopped || !feasibilityChecked) {
            return;
        }
        updatePipelineDepth();
        for (ArrayDeque<Task> queue : ready) {
            deferred.clear();
            while (!queue.isEmpty() && deferred.size() < MAX_LOOKAHEAD && hasFreeCapacity()) {
                Task task = queue.pollFirst();
                Placement placement = policy.place(task, this);
                if (placement.isWait() || (placement.isPreemption() && task.preemptedFor != null)) {
                    deferred.add(task);
                } else if (placement.isPreemption()) {
                    requestPreemption((Task) placement.victim(), task);
                    deferred.add(task);
                } else {
                    RankSlot slot = slots[placement.rank()];
                    task.preemptedFor = null;
                    if (task.id < 0) { // a range generator: carve the next run of blocks
                        Task chunk = carveChunk(task, slot);
                        assign(chunk, slot);
                        if (ranges[task.spec.index()].next < task.spec.blockCount()) {
                            queue.addFirst(task);
                        }
                    } else {
                        assign(task, slot);
                    }
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
     * Says so, once, when nothing runs anywhere, shards are ready and excess ranks are free: the
     * placement policy finds the forecast's odds for those slots too low. The run then waits for the
     * forecast to improve or for reserved capacity, which a user would otherwise see as a hang.
     */
    private void warnIfOnlyTheForecastHoldsWorkBack() {
        boolean anyReady = false;
        for (ArrayDeque<Task> queue : ready) {
            anyReady |= !queue.isEmpty();
        }
        if (!anyReady) {
            return;
        }
        boolean freeExcess = false;
        for (RankSlot s : workerSlots) {
            if (!s.attempts().isEmpty()) {
                heldBackWarned = false;
                return;
            }
            freeExcess |= s.isActive() && s.capacityClass == CapacityClass.EXCESS && s.freeCores() > 0;
        }
        if (freeExcess && !heldBackWarned) {
            heldBackWarned = true;
            LOG.warn("Nothing is running: ready shards wait because the capacity forecaster gives the free excess ranks "
                    + "too low odds of outliving them (the placement policy's survival bar). They start when the forecast "
                    + "improves or reserved capacity is free; to use excess ranks regardless, lower the bar "
                    + "(new DefaultPlacementPolicy(bar)) or run without a capacity model.");
        }
    }

    /**
     * Shadow execution: each running CRITICAL shard gets a second attempt on free spare (else excess)
     * cores. Both run from the same checkpoint; the first to finish commits and the other is cancelled,
     * so a slow or dying rank cannot hold up the shards everything else waits for.
     */
    private void startShadows() {
        for (int i = unshadowed.size() - 1; i >= 0; i--) {
            Task primary = unshadowed.get(i);
            if (primary.rank < 0 || primary.shadow != null || primary.isShadow() || committed[primary.spec.index()]) {
                unshadowed.remove(i);
                continue;
            }
            int rank = policy.shadowRank(primary, this, primary.rank);
            if (rank < 0) {
                continue;
            }
            unshadowed.remove(i);
            Task shadow = newTask(primary.spec, 0, 1);
            shadow.primary = primary;
            primary.shadow = shadow;
            shadowAttempts++;
            assign(shadow, slots[rank]);
        }
    }

    /**
     * When one attempt of a shadow pair stops without a result (failed, yielded or lost), the other
     * carries the shard on alone: nothing is requeued. Returns false when {@code task} had no partner.
     */
    private boolean handOverToPartner(Task task) {
        Task partner = task.partner();
        if (partner == null) {
            return false;
        }
        task.lifecycle.moveTo(ShardState.CANCELLED);
        task.rank = -1;
        unpair(task, partner);
        partner.failures = Math.max(partner.failures, task.failures);
        taskOfShard[partner.spec.index()] = partner;
        unshadowed.add(partner); // it may get a new shadow when cores free up
        return true;
    }

    private static void unpair(Task a, Task b) {
        a.shadow = null;
        a.primary = null;
        b.shadow = null;
        b.primary = null;
    }

    /** The winner of a shadow pair finished: its partner is cancelled at once and its cores freed. */
    private void cancelPartner(Task winner) {
        Task partner = winner.partner();
        if (partner == null) {
            return;
        }
        if (winner.isShadow()) {
            shadowWins++;
        }
        unpair(winner, partner);
        taskOfShard[winner.spec.index()] = winner;
        if (partner.rank >= 0 && partner.lifecycle.state() == ShardState.RUNNING) {
            Messages.cancel(outbox.to(partner.rank), partner.id, partner.lifecycle.attempt());
            endAttempt(partner, Math.max(0, clock.nanoTime() - partner.assignedAt), "cancelled");
            partner.lifecycle.moveTo(ShardState.CANCELLED);
            partner.rank = -1;
        }
    }

    private boolean hasFreeCapacity() {
        for (RankSlot s : workerSlots) {
            if (s.isActive() && s.capacityClass != CapacityClass.SPARE && s.freeUnits() > 0) {
                return true;
            }
        }
        return false;
    }

    private void updatePipelineDepth() {
        int depth = expectedRunNanos <= 0 || expectedRunNanos > PIPELINE_MAX_SHARD_NANOS ? 1
                : (int) Math.max(2, Math.min(MAX_PIPELINE_DEPTH, 1 + PIPELINE_TARGET_NANOS / expectedRunNanos));
        for (RankSlot s : workerSlots) {
            s.pipelineDepth = depth;
        }
    }

    private void makeReady(int shardIndex) {
        ShardSpec spec = specs.get(shardIndex);
        Task task;
        if (spec.kind() == ShardKind.RANGE) {
            if (ranges[shardIndex] == null) {
                ranges[shardIndex] = new RangeState(spec.blockCount());
            }
            RangeState range = ranges[shardIndex];
            if (range.restoredChunks > 0) { // some blocks came back from the journal: carve only the others
                skipDoneBlocks(range);
                if (range.done == spec.blockCount()) {
                    reduceRange(spec, range);
                    return;
                }
            }
            task = new Task(-1, spec, 0, spec.blockCount(), this); // generator: never assigned itself
        } else {
            task = newTask(spec, 0, 1);
            taskOfShard[shardIndex] = task;
        }
        ready[spec.priority().ordinal()].addLast(task);
    }

    private Task newTask(ShardSpec spec, int blockFrom, int blockTo) {
        Task task = new Task(tasks.size(), spec, blockFrom, blockTo, this);
        tasks.add(task);
        return task;
    }

    /**
     * Adaptive granularity: guided self-scheduling (a share of what remains per active core, so
     * chunks shrink towards the end), halved on excess capacity and again once revocations were
     * seen, and capped on excess capacity so that a revocation loses little. On excess capacity the
     * forecaster then says how finely to split: the chunk is halved until the slot is likely to
     * outlive it ({@link #EXCESS_CHUNK_SURVIVAL}).
     */
    private Task carveChunk(Task generator, RankSlot slot) {
        RangeState range = ranges[generator.spec.index()];
        int remaining = generator.spec.blockCount() - range.next;
        int activeCores = 0;
        for (RankSlot s : workerSlots) {
            if (s.isActive() && s.capacityClass != CapacityClass.SPARE) {
                activeCores += s.cores;
            }
        }
        double factor = 2;
        if (slot.capacityClass == CapacityClass.EXCESS) {
            factor *= 2;
        }
        if (revocations > 0 || lostAttempts > 0) {
            factor *= 2;
        }
        long size = (long) Math.ceil(remaining / (factor * Math.max(1, activeCores)));
        if (slot.capacityClass == CapacityClass.EXCESS && range.blockNanos > 0) {
            size = Math.min(size, Math.max(1, EXCESS_CHUNK_TARGET_NANOS / range.blockNanos));
            long smallest = Math.max(1, MIN_CHUNK_NANOS / range.blockNanos);
            double coresToKeep = excessCoresToKeep(slot);
            while (size > smallest
                    && forecaster.survivalProbability(Duration.ofNanos(size * range.blockNanos), coresToKeep)
                    < EXCESS_CHUNK_SURVIVAL) {
                size = Math.max(smallest, size / 2);
            }
        }
        int blocks = (int) Math.max(1, Math.min(size, remaining));
        if (range.restoredChunks > 0) {
            int end = range.next;
            while (end < range.next + blocks && range.partials[end] == null) {
                end++; // stop before the next block the journal restored
            }
            blocks = end - range.next;
        }
        Task chunk = newTask(generator.spec, range.next, range.next + blocks);
        range.next += blocks;
        if (range.restoredChunks > 0) {
            skipDoneBlocks(range);
        }
        return chunk;
    }

    private void assign(Task task, RankSlot slot) {
        // Plain and resumable shards number attempts per shard (a shadow continues its primary's numbering).
        int attempt = task.spec.kind() == ShardKind.RANGE ? task.lifecycle.start()
                : task.lifecycle.start(++lastAttemptOfShard[task.spec.index()]);
        task.rank = slot.rank;
        task.assignedAt = clock.nanoTime();
        task.preemptRequested = false;
        slot.add(task);
        attemptsStarted++;
        long resumeStep = -1;
        byte[] state = new byte[0];
        if (task.spec.kind() == ShardKind.RESUMABLE) {
            Optional<CheckpointStore.Checkpoint> saved = loadCheckpoint(task);
            if (saved.isPresent()) {
                resumeStep = saved.get().step();
                state = saved.get().state();
                if (!task.isShadow()) {
                    checkpointRestores++; // a shadow starting from its primary's state is not a recovery
                }
            }
        }
        List<Messages.Input> inputs = new ArrayList<>(task.spec.inputs().length);
        for (int in : task.spec.inputs()) {
            if (holders[in] != null && holders[in].get(slot.rank)) {
                inputs.add(new Messages.Input(in, null));
            } else {
                inputs.add(new Messages.Input(in, outputs[in]));
                markHolder(in, slot);
            }
        }
        long every = task.spec.checkpointEvery() != null ? task.spec.checkpointEvery().toNanos() : config.checkpointEveryNanos();
        Messages.assign(outbox.to(slot.rank), task.id, attempt, task.spec.index(), task.blockFrom, task.blockTo,
                every, resumeStep, state, inputs);
        if (config.shadows() && task.spec.priority() == Priority.CRITICAL && task.spec.kind() != ShardKind.RANGE
                && !task.isShadow()) {
            unshadowed.add(task);
        }
    }

    private Optional<CheckpointStore.Checkpoint> loadCheckpoint(Task task) {
        try {
            return checkpoints.latest(graphId, task.name);
        } catch (IOException e) {
            LOG.warn("cannot read the checkpoint of {}: {}; it starts from scratch", task.name, e.getMessage());
            return Optional.empty();
        }
    }

    private void requestPreemption(Task victim, Task forTask) {
        victim.preemptRequested = true;
        victim.preemptRequestedAt = clock.nanoTime();
        victim.preemptedFor = forTask;
        timeline.mark(Mark.Kind.PREEMPTION_REQUESTED, victim.rank, victim.name + " for " + forTask.name);
        forTask.preemptedFor = victim;
        Messages.preempt(outbox.to(victim.rank), victim.id, victim.lifecycle.attempt());
    }

    private void markHolder(int shardIndex, RankSlot slot) {
        if (holders[shardIndex] == null) {
            holders[shardIndex] = new BitSet();
        }
        if (!holders[shardIndex].get(slot.rank)) {
            holders[shardIndex].set(slot.rank);
            slot.cachedOutputs.add(shardIndex);
        }
    }

    long inputBytesMissingOn(ShardSpec spec, int rank) {
        long missing = 0;
        for (int in : spec.inputs()) {
            if (outputs[in] != null && (holders[in] == null || !holders[in].get(rank))) {
                missing += outputs[in].length;
            }
        }
        return missing;
    }

    // ---------------------------------------------------------------- worker messages

    @Override
    public void onHello(int rank, int cores, List<String> capabilities, String graphFingerprint) {
        RankSlot slot = slot(rank);
        if (slot == null) {
            return;
        }
        if (!graph.fingerprint().equals(graphFingerprint) && slot.joinSlot) {
            LOG.error("a worker joining as rank {} built a different graph (fingerprint {}, broker has {}); sent it away: "
                    + "start workers with the same command and arguments as the main job", rank, graphFingerprint, graph.fingerprint());
            Messages.shutdown(outbox.to(rank));
            return;
        }
        if (!graph.fingerprint().equals(graphFingerprint)) {
            fail(new ShatterException("rank " + rank + " built a different graph (fingerprint " + graphFingerprint
                    + ", broker has " + graph.fingerprint() + "): every rank must run the same program with the same arguments"));
            return;
        }
        if (slot.status == RankSlot.Status.ACTIVE || slot.status == RankSlot.Status.REVOKING) {
            return; // a duplicate hello changes nothing
        }
        slot.cores = cores;
        slot.capabilities = Set.copyOf(capabilities);
        slot.status = RankSlot.Status.ACTIVE;
        slot.activeSince = clock.nanoTime();
        if (!feasibilityChecked && workerSlots.stream().noneMatch(s -> s.status == RankSlot.Status.JOINING)) {
            checkFeasibility();
        }
    }

    /** Once every rank has joined: a shard that no rank could ever run fails the run now, not never. */
    private void checkFeasibility() {
        feasibilityChecked = true;
        for (ShardSpec s : specs) {
            boolean possible = false;
            for (RankSlot r : workerSlots) {
                if (r.capacityClass != CapacityClass.SPARE && r.cores >= s.cores() && r.capabilities.containsAll(s.capabilities())) {
                    possible = true;
                    break;
                }
            }
            if (!possible) {
                fail(new ShatterException("no rank can run shard '" + s.id() + "': it needs " + s.cores() + " core(s)"
                        + (s.capabilities().isEmpty() ? "" : " and capabilities " + s.capabilities())
                        + "; give a reserved or excess rank enough cores (--cores-per-rank) or those capabilities"));
                return;
            }
        }
    }

    @Override
    public void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output) {
        Task task = currentTask(rank, taskId, attempt);
        if (task == null) {
            return;
        }
        endAttempt(task, runNanos, "completed");
        task.lifecycle.moveTo(ShardState.COMPLETED);
        cancelPartner(task);
        slots[rank].committed++;
        expectedRunNanos = expectedRunNanos == 0 ? Math.max(1, runNanos) : (expectedRunNanos * 7 + runNanos) / 8;
        if (task.spec.kind() == ShardKind.RANGE) {
            commitBlocks(task, output, runNanos);
        } else {
            commitShard(task.spec.index(), output, slots[rank]);
        }
    }

    @Override
    public void onFailed(int rank, int taskId, int attempt, long runNanos, String description) {
        Task task = currentTask(rank, taskId, attempt);
        if (task == null) {
            return;
        }
        endAttempt(task, runNanos, "failed");
        lostWorkNanos += runNanos;
        task.failures++;
        task.lastError = description;
        if (handOverToPartner(task)) {
            LOG.warn("shard {} attempt on rank {} failed ({}); its shadow pair carries on", task.name, rank, description);
            return;
        }
        if (task.failures > task.spec.retries()) {
            task.lifecycle.moveTo(ShardState.FAILED);
            fail(new ShardFailedException(task.name, description, task.failures));
            return;
        }
        LOG.warn("shard {} attempt {} failed on rank {} ({}); retrying elsewhere", task.name, attempt, rank, description);
        retries++;
        task.avoidRank = rank;
        task.lifecycle.moveTo(ShardState.QUEUED);
        requeue(task);
    }

    @Override
    public void onCheckpoint(int rank, int taskId, int attempt, long step, byte[] state) {
        Task task = tasks.size() > taskId ? tasks.get(taskId) : null;
        if (task == null || !task.lifecycle.isCurrent(attempt) || task.rank != rank || task.isShadow()) {
            return; // an attempt given up, or a shadow: only the attempt that owns the shard saves its state
        }
        saveCheckpoint(task, attempt, step, state);
    }

    @Override
    public void onYielded(int rank, int taskId, int attempt, long step, byte[] state, long runNanos) {
        Task task = currentTask(rank, taskId, attempt);
        if (task == null) {
            return;
        }
        boolean started = step != Messages.NO_STEP || runNanos > 0;
        endAttempt(task, runNanos, started ? "preempted" : "returned");
        if (task.isShadow()) {
            handOverToPartner(task); // a shadow asked to leave just stops; its primary carries on
            return;
        }
        if (step != Messages.NO_STEP && task.spec.kind() == ShardKind.RESUMABLE) {
            saveCheckpoint(task, attempt, step, state); // the preemption ends once this is durable
        } else {
            notePreemptionOver(task); // nothing to save: the slot is free now
        }
        if (step == Messages.NO_STEP && started) {
            lostWorkNanos += runNanos; // a plain shard or range chunk stopped early starts again from scratch
        }
        if (started) {
            preemptions++; // one that never started gave nothing up: not counted
        }
        if (handOverToPartner(task)) {
            return;
        }
        task.lifecycle.moveTo(ShardState.PREEMPTED);
        task.lifecycle.moveTo(ShardState.QUEUED);
        requeue(task);
    }

    @Override
    public void onLeaving(int rank) {
        RankSlot slot = slot(rank);
        if (slot != null && slot.status == RankSlot.Status.ACTIVE) {
            slot.status = RankSlot.Status.REVOKING; // no new work; its yields and then its 'left' follow
            timeline.mark(Mark.Kind.LEAVING, rank, "");
            askedToYield(slot);
        }
    }

    @Override
    public void onLeft(int rank) {
        RankSlot slot = slot(rank);
        if (slot != null && slot.status == RankSlot.Status.REVOKING) {
            loseRank(slot, "left after revocation");
        } else if (slot != null && slot.joinSlot && slot.status == RankSlot.Status.ACTIVE) {
            // A joined worker told to go by its own scheduler (Slurm's SIGTERM) has yielded its shards.
            LOG.info("joined worker on rank {} left (its Slurm job was preempted or ended); its shards resume elsewhere", rank);
            loseRank(slot, "left on its own");
        }
    }

    @Override
    public void onSharedGet(int rank, long requestId, String key) {
        SharedState.Entry e = shared.getOrDefault(key, UNSET);
        Messages.sharedReply(outbox.to(rank), requestId, false, e.version(), e.value());
    }

    /** Optimistic concurrency: the write applies only if nobody wrote the key since the shard read it. */
    @Override
    public void onSharedCompareAndSet(int rank, long requestId, String key, long expectedVersion, byte[] value) {
        SharedState.Entry e = shared.getOrDefault(key, UNSET);
        boolean applied = e.version() == expectedVersion;
        if (applied) {
            e = new SharedState.Entry(expectedVersion + 1, value);
            shared.put(key, e);
        }
        Messages.sharedReply(outbox.to(rank), requestId, applied, e.version(), e.value());
    }

    /** A transport reports that a rank died: its attempts are lost and resume from their checkpoints. */
    public void onPeerLost(int rank, String reason) {
        RankSlot slot = slot(rank);
        if (slot == null || slot.status == RankSlot.Status.GONE || slot.status == RankSlot.Status.VACANT) {
            return; // already handled (a joined worker that said it left, then closed its connection)
        }
        LOG.warn("rank {} is gone ({}); its shards resume from their last checkpoints elsewhere", rank, reason);
        loseRank(slot, reason);
        if (workerSlots.stream().allMatch(s -> s.status == RankSlot.Status.GONE) && config.revokeEveryNanos() <= 0) {
            // (join slots become VACANT, not GONE: a run with join slots waits for workers to join)
            fail(new ShatterException("every worker rank is gone (last: rank " + rank + ", " + reason
                    + "); completed shards are kept, run the same command again to continue"));
        }
    }

    private Task currentTask(int rank, int taskId, int attempt) {
        Task task = taskId < tasks.size() ? tasks.get(taskId) : null;
        if (task == null || !task.lifecycle.isCurrent(attempt) || task.rank != rank) {
            staleResults++; // attempt fencing: only the attempt the broker expects may commit
            return null;
        }
        return task;
    }

    private void endAttempt(Task task, long runNanos, String outcome) {
        RankSlot slot = slots[task.rank];
        slot.remove(task);
        attemptsEnded++;
        busyCoreNanos.merge(slot.capacityClass, runNanos * task.spec.cores(), Long::sum);
        timeline.attemptEnded(slot.rank, slot.capacityClass, task.id, task.isShadow() ? task.name + " (shadow)" : task.name,
                task.spec.priority(), task.lifecycle.attempt(), runNanos, outcome);
        if (task.preemptedFor != null) {
            task.preemptedFor.preemptedFor = null; // the CRITICAL shard it made room for may look again
            task.preemptedFor = null;
        }
    }

    private void requeue(Task task) {
        task.rank = -1;
        if (task.savingCheckpoint) {
            task.requeueWhenDurable = true; // the next attempt must find the state it just saved
            return;
        }
        ready[task.spec.priority().ordinal()].addFirst(task); // it became ready long ago: keep its place
    }

    /**
     * Saves a state through the IO thread. One write per task at a time: a state that arrives while
     * the previous one is being written waits, and a newer one replaces it (only the newest state is
     * worth writing), so a disk slower than the checkpoint interval never builds a backlog.
     */
    private void saveCheckpoint(Task task, int attempt, long step, byte[] state) {
        Task.CheckpointSave save = new Task.CheckpointSave(attempt, step, state, clock.nanoTime());
        if (task.savingCheckpoint) {
            task.nextCheckpoint = save;
            return;
        }
        writeCheckpoint(task, save);
    }

    private void writeCheckpoint(Task task, Task.CheckpointSave save) {
        task.savingCheckpoint = true;
        String name = task.name;
        boolean[] written = new boolean[1];
        checkpointIo.submit(() -> {
            if (task.stateObsolete) {
                return null; // its shard committed meanwhile: nothing will resume from this state
            }
            try {
                checkpoints.save(graphId, name, save.attempt(), save.step(), save.state());
                written[0] = true;
                return null;
            } catch (IOException e) {
                return e;
            }
        }, error -> onCheckpointWritten(task, save, written[0], error));
    }

    /** A preempted attempt's slot is free and its state durable: the preemption latency ends here. */
    private void notePreemptionOver(Task task) {
        if (task.preemptRequestedAt > 0) {
            preemptionLatencyMaxNanos = Math.max(preemptionLatencyMaxNanos, clock.nanoTime() - task.preemptRequestedAt);
            task.preemptRequestedAt = 0;
        }
    }

    private void onCheckpointWritten(Task task, Task.CheckpointSave save, boolean written, IOException error) {
        task.savingCheckpoint = false;
        if (written) {
            checkpointsSaved++;
            checkpointBytes += save.state().length;
            timeline.checkpointSaved(task.name, save.step(), save.state().length);
            if (journal != null) {
                journal.checkpointSaved(task.name, save.attempt(), save.step());
            }
            if (save.step() > task.checkpointStep) {
                task.checkpointStep = save.step();
                task.checkpointAt = save.takenAt();
            }
        } else if (error != null) {
            LOG.warn("cannot save the checkpoint of {} at step {}: {}; the previous one stays", task.name, save.step(), error.getMessage());
        }
        if (task.nextCheckpoint != null) {
            Task.CheckpointSave next = task.nextCheckpoint;
            task.nextCheckpoint = null;
            writeCheckpoint(task, next);
            return;
        }
        notePreemptionOver(task);
        if (task.requeueWhenDurable) {
            task.requeueWhenDurable = false;
            requeue(task);
        }
    }

    /** A fresh run must not pick up the states an earlier run of this graph left behind. */
    private void discardEarlierCheckpoints() {
        List<String> resumable = new ArrayList<>();
        for (ShardSpec s : specs) {
            if (s.kind() == ShardKind.RESUMABLE) {
                resumable.add(s.id());
            }
        }
        if (resumable.isEmpty()) {
            return;
        }
        checkpointIo.submit(() -> {
            try {
                checkpoints.discardAll(graphId, resumable);
                return null;
            } catch (IOException e) {
                return e;
            }
        }, error -> {
            if (error != null) {
                LOG.warn("cannot remove the checkpoints an earlier run of {} left: {}", graph.name(), error.getMessage());
            }
        });
    }

    // ---------------------------------------------------------------- commits

    private void commitBlocks(Task chunk, byte[] output, long runNanos) {
        RangeState range = ranges[chunk.spec.index()];
        WireReader in = new WireReader(output);
        int count = in.readVarInt();
        if (count != chunk.blockTo - chunk.blockFrom) {
            fail(new ShatterException("range chunk " + chunk.name + " returned " + count + " partial results for "
                    + (chunk.blockTo - chunk.blockFrom) + " blocks (a worker from another build?)"));
            return;
        }
        for (int b = chunk.blockFrom; b < chunk.blockTo; b++) {
            range.partials[b] = in.readBytes();
        }
        range.done += count;
        if (journal != null && range.done < chunk.spec.blockCount()) { // the last chunk is journaled as the shard's commit
            journal.chunkCommitted(chunk.spec.index(), chunk.blockFrom, chunk.blockTo, output);
        }
        long perBlock = runNanos / Math.max(1, count);
        range.blockNanos = range.blockNanos == 0 ? perBlock : (range.blockNanos * 3 + perBlock) / 4;
        if (range.done == chunk.spec.blockCount()) {
            reduceRange(chunk.spec, range);
        }
    }

    /** Left to right in index order, so that the result equals a sequential fold whatever the split. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void reduceRange(ShardSpec spec, RangeState range) {
        Codec codec = spec.outputCodec();
        BinaryOperator reducer = spec.reducer();
        byte[] result;
        try {
            Object acc = codec.decode(range.partials[0]);
            for (int b = 1; b < range.partials.length; b++) {
                acc = reducer.apply(acc, codec.decode(range.partials[b]));
            }
            result = codec.encode(acc);
        } catch (RuntimeException e) {
            fail(new ShardFailedException(spec.id(), "its reduction threw " + e, 1));
            return;
        }
        ranges[spec.index()] = null;
        commitShard(spec.index(), result, null);
    }

    private void commitShard(int index, byte[] output, RankSlot producer) {
        if (committed[index]) {
            throw new IllegalStateException("shard " + specs.get(index).id() + " committed twice");
        }
        committed[index] = true;
        outputs[index] = output;
        if (taskOfShard[index] != null) {
            taskOfShard[index].stateObsolete = true; // states still queued for writing are not needed any more
        }
        if (journal != null) {
            journal.shardCommitted(index, output);
        }
        if (producer != null) {
            markHolder(index, producer);
        }
        shardsCompleted++;
        ShardSpec spec = specs.get(index);
        for (int dependent : graph.dependentsOf(index)) {
            if (--pendingDependencies[dependent] == 0) {
                makeReady(dependent);
            }
        }
        for (int in : spec.inputs()) {
            if (--consumersLeft[in] == 0) {
                releaseCachedCopies(in);
                if (!config.retainIntermediateOutputs()) {
                    outputs[in] = null; // every consumer has committed: nothing will read it again
                }
            }
        }
        if (shardsCompleted == specs.size()) {
            finishedAt = clock.nanoTime();
            journalRunFinished();
        }
    }

    private void releaseCachedCopies(int shardIndex) {
        BitSet holding = holders[shardIndex];
        if (holding == null) {
            return;
        }
        for (int r = holding.nextSetBit(0); r >= 0; r = holding.nextSetBit(r + 1)) {
            if (slots[r].status == RankSlot.Status.ACTIVE) {
                Messages.release(outbox.to(r), new int[] {shardIndex}, 1);
            }
            slots[r].cachedOutputs.remove(Integer.valueOf(shardIndex));
        }
        holders[shardIndex] = null;
    }

    // ---------------------------------------------------------------- revocation and timers

    /** Revokes worker rank {@code rank}: its attempts get {@code graceNanos} to save their state, then are lost. */
    public void revoke(int rank, long graceNanos) {
        RankSlot slot = slot(rank);
        if (slot == null || slot.status != RankSlot.Status.ACTIVE) {
            return;
        }
        revocations++;
        timeline.mark(Mark.Kind.REVOKED, rank, "");
        askedToYield(slot);
        slot.status = RankSlot.Status.REVOKING;
        Messages.revoke(outbox.to(rank), graceNanos);
        schedule(graceNanos, () -> {
            if (slot.status == RankSlot.Status.REVOKING) {
                loseRank(slot, "grace period over");
            }
        });
    }

    /** A revoked or leaving rank's attempts yield at their next safepoint: their preemption latency runs from now. */
    private void askedToYield(RankSlot slot) {
        long now = clock.nanoTime();
        for (Task t : slot.attempts) {
            if (t.preemptRequestedAt == 0) {
                t.preemptRequestedAt = now;
            }
        }
    }

    /** Gives a revoked rank back: it rejoins with a hello. */
    public void restore(int rank) {
        RankSlot slot = slot(rank);
        if (slot != null && slot.status == RankSlot.Status.GONE) {
            slot.status = RankSlot.Status.JOINING;
            Messages.restore(outbox.to(rank));
        }
    }

    private void revokeRandomExcessRank() {
        if (isFinished()) {
            return;
        }
        List<RankSlot> candidates = new ArrayList<>();
        for (RankSlot s : workerSlots) {
            if (s.capacityClass == CapacityClass.EXCESS && s.isActive() && !s.joinSlot) { // joined workers are revoked by Slurm itself
                candidates.add(s);
            }
        }
        if (!candidates.isEmpty()) {
            RankSlot victim = candidates.get(random.nextInt(candidates.size()));
            revoke(victim.rank, config.revokeGraceNanos());
            schedule(config.revokeEveryNanos(), () -> restore(victim.rank));
        }
        schedule(config.revokeEveryNanos(), this::revokeRandomExcessRank);
    }

    /** Polls the capacity feed, tells the forecaster, and revokes or restores excess ranks to match (see {@link ExcessCapacityFeed}). */
    private void followCapacityFeed() {
        if (isFinished()) {
            return;
        }
        ExcessCapacityFeed feed = config.excessCapacityFeed();
        List<CapacitySample> samples;
        try {
            samples = feed.source().poll();
        } catch (Exception e) {
            LOG.warn("capacity source failed; excess ranks left as they are: {}", e.toString());
            samples = List.of();
        }
        for (CapacitySample sample : samples) {
            forecaster.observe(sample);
        }
        if (!samples.isEmpty()) {
            List<RankSlot> excess = new ArrayList<>();
            for (RankSlot s : workerSlots) {
                if (s.capacityClass == CapacityClass.EXCESS) {
                    excess.add(s);
                }
            }
            int allowed = feed.allowedRanks(samples.get(samples.size() - 1).idleCores(), excess.size());
            // Joining ranks count as live: they were restored and are on their way.
            int live = (int) excess.stream().filter(s -> s.status == RankSlot.Status.ACTIVE || s.status == RankSlot.Status.JOINING).count();
            for (int i = excess.size() - 1; i >= 0 && live > allowed; i--) {
                if (excess.get(i).status == RankSlot.Status.ACTIVE) {
                    revoke(excess.get(i).rank, config.revokeGraceNanos());
                    live--;
                }
            }
            for (int i = 0; i < excess.size() && live < allowed; i++) {
                if (excess.get(i).status == RankSlot.Status.GONE) {
                    restore(excess.get(i).rank);
                    live++;
                }
            }
        }
        schedule(feed.pollEvery().toNanos(), this::followCapacityFeed);
    }

    private void loseRank(RankSlot slot, String reason) {
        long now = clock.nanoTime();
        timeline.mark(Mark.Kind.LOST, slot.rank, reason);
        for (Task task : new ArrayList<>(slot.attempts)) {
            long since = Math.max(task.assignedAt, task.checkpointAt);
            lostWorkNanos += Math.max(0, now - since);
            lostAttempts++;
            task.preemptRequestedAt = 0; // lost, not preempted: no latency to measure
            endAttempt(task, Math.max(0, now - task.assignedAt), "lost");
            if (handOverToPartner(task)) {
                continue;
            }
            task.lifecycle.moveTo(ShardState.LOST);
            task.lifecycle.moveTo(ShardState.QUEUED);
            requeue(task);
        }
        if (slot.status == RankSlot.Status.ACTIVE || slot.status == RankSlot.Status.REVOKING) {
            availableCoreNanos.merge(slot.capacityClass, (now - slot.activeSince) * slot.cores, Long::sum);
        }
        for (int shard : slot.cachedOutputs) {
            if (holders[shard] != null) {
                holders[shard].clear(slot.rank);
            }
        }
        slot.cachedOutputs.clear();
        slot.status = slot.joinSlot ? RankSlot.Status.VACANT : RankSlot.Status.GONE;
        LOG.debug("rank {} gone: {}", slot.rank, reason);
    }

    /** Runs {@code action} on the event loop after {@code delayNanos}. */
    public void schedule(long delayNanos, Runnable action) {
        timers.add(new Timer(clock.nanoTime() + delayNanos, timerSequence++, action));
    }

    /** Runs the timers that are due. */
    public void runDueTimers() {
        long now = clock.nanoTime();
        while (!timers.isEmpty() && timers.peek().at <= now) {
            timers.poll().action.run();
        }
    }

    /** When the next timer is due, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().at;
    }

    // ---------------------------------------------------------------- outcome

    private void fail(ShatterException cause) {
        if (failure == null) {
            failure = cause;
            stopped = true;
            for (RankSlot s : workerSlots) {
                for (Task t : s.attempts) {
                    Messages.cancel(outbox.to(s.rank), t.id, t.lifecycle.attempt());
                }
            }
        }
    }

    /** Stops the run on request ({@link io.shatter.RunStop}): running attempts are cancelled, commits stay journaled. */
    public void stop(String reason) {
        fail(new io.shatter.RunStoppedException(reason));
    }

    /** Whether every shard is committed or the run failed. */
    public boolean isFinished() {
        return stopped || finishedAt >= 0;
    }

    /** The failure that stopped the run, or null. */
    public ShatterException failure() {
        return failure;
    }

    /** Tells every rank the run is over. */
    public void shutdownAll() {
        for (RankSlot s : workerSlots) {
            Messages.shutdown(outbox.to(s.rank));
        }
    }

    /** Shards committed so far. */
    public int shardsCompleted() {
        return shardsCompleted;
    }

    /** The committed output of shard {@code index}, or null. */
    public byte[] output(int index) {
        return outputs[index];
    }

    /** The timeline's recorder (records only if {@link RunConfig#recordTrace()}). */
    public TimelineRecorder timeline() {
        return timeline;
    }

    /** Shards ready to run and waiting for a core (for the timeline's counters). */
    public int readyShards() {
        int n = 0;
        for (ArrayDeque<Task> queue : ready) {
            n += queue.size();
        }
        return n;
    }

    /** The run's figures; {@code brokerCpuNanos} is the broker thread's CPU time, if measured. */
    public RunSummary summary(long brokerCpuNanos) {
        long end = finishedAt >= 0 ? finishedAt : clock.nanoTime();
        Map<CapacityClass, Long> available = new EnumMap<>(availableCoreNanos);
        for (RankSlot s : workerSlots) {
            if (s.status == RankSlot.Status.ACTIVE || s.status == RankSlot.Status.REVOKING) {
                available.merge(s.capacityClass, (end - s.activeSince) * s.cores, Long::sum);
            }
        }
        Map<CapacityClass, Double> busy = new EnumMap<>(CapacityClass.class);
        Set<CapacityClass> present = new HashSet<>();
        for (RankSlot s : workerSlots) {
            present.add(s.capacityClass);
        }
        for (CapacityClass c : CapacityClass.values()) {
            if (present.contains(c)) {
                long avail = available.get(c);
                busy.put(c, avail <= 0 ? 0.0 : Math.min(1.0, (double) busyCoreNanos.get(c) / avail));
            }
        }
        Map<Integer, Long> byRank = new TreeMap<>();
        for (RankSlot s : workerSlots) {
            byRank.put(s.rank, s.committed);
        }
        String failedShard = failure instanceof ShardFailedException f ? f.shardId() : null;
        return new RunSummary(graph.name(), (end - startedAt) / 1e9, specs.size(), shardsCompleted, attemptsStarted,
                preemptions, revocations, lostAttempts, lostWorkNanos / 1e9, retries, staleResults, checkpointsSaved,
                checkpointBytes, checkpointRestores, resumedFromJournal, busy, byRank,
                attemptsEnded == 0 ? 0 : (double) brokerCpuNanos / attemptsEnded, failedShard,
                shadowAttempts, shadowWins, preemptionLatencyMaxNanos / 1e9);
    }

    // ---------------------------------------------------------------- journal (resumable broker)

    /**
     * Opens the run directory's journal and restores what it recorded: committed shards become
     * committed again (their dependents ready accordingly), committed blocks of unfinished range
     * shards are kept so that only the others are carved. False if the run directory was refused.
     */
    private boolean openJournal() {
        if (config.runDirectory() == null) {
            return true;
        }
        try {
            journal = Journal.open(config.runDirectory(), graph.name(), graph.fingerprint(), config.runIdentity(), new JournalReplay());
        } catch (ShatterException e) {
            fail(e);
            return false;
        }
        resumedFromJournal = shardsCompleted;
        for (RangeState range : ranges) {
            if (range != null) {
                resumedFromJournal += range.restoredChunks;
            }
        }
        return true;
    }

    /** Hands this batch's journal records to the OS (once per broker loop batch); a write error stops the run. */
    public void flushJournal() {
        if (journal == null) {
            return;
        }
        try {
            journal.flush();
        } catch (IOException e) {
            Journal broken = journal;
            journal = null;
            closeQuietly(broken);
            fail(new ShatterException("cannot write the journal " + broken.file() + " (" + e.getMessage() + "): the run stops; "
                    + "what it recorded before is kept, so free space and run the same command again to resume", e));
            return;
        }
        if (journal.hasUnforcedRecords() && !journalForceTimerArmed) {
            journalForceTimerArmed = true; // an idle broker still makes the last commits durable within about a second
            schedule(1_000_000_000L, () -> {
                journalForceTimerArmed = false;
                flushJournal();
            });
        }
    }

    /** Flushes, forces and closes the journal at the end of the run (it stays unfinished if the run failed). */
    public void closeJournal() {
        if (journal == null) {
            return;
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("cannot close the journal {} ({}); a new run in this directory may replay it", journal.file(), e.getMessage());
        }
        journal = null;
    }

    private void journalRunFinished() {
        if (journal != null) {
            journal.runFinished(shardsCompleted);
        }
    }

    private static void closeQuietly(Journal j) {
        try {
            j.close();
        } catch (IOException | RuntimeException ignored) {
            // the write error already reported is the one that matters
        }
    }

    private void skipDoneBlocks(RangeState range) {
        while (range.next < range.partials.length && range.partials[range.next] != null) {
            range.next++;
        }
    }

    /** Applies a replayed journal to the fresh scheduler state, before anything is dispatched. */
    private final class JournalReplay implements Journal.Replay {
        @Override
        public void shardCommitted(int shard, byte[] output) {
            ShardSpec spec = journaledShard(shard);
            if (committed[shard]) {
                throw inconsistent("commits shard '" + spec.id() + "' twice");
            }
            committed[shard] = true;
            outputs[shard] = output;
            shardsCompleted++;
            ranges[shard] = null; // its committed chunks are part of the shard's output now
            for (int dependent : graph.dependentsOf(shard)) {
                pendingDependencies[dependent]--;
            }
            for (int in : spec.inputs()) {
                if (--consumersLeft[in] == 0 && !config.retainIntermediateOutputs()) {
                    outputs[in] = null;
                }
            }
            if (spec.kind() == ShardKind.RESUMABLE) {
                try {
                    checkpoints.discard(graphId, spec.id()); // left behind if the broker died between commit and discard
                } catch (IOException e) {
                    LOG.warn("cannot discard the checkpoints of committed shard {}: {}", spec.id(), e.getMessage());
                }
            }
        }

        @Override
        public void chunkCommitted(int shard, int blockFrom, int blockTo, byte[] output) {
            ShardSpec spec = journaledShard(shard);
            if (spec.kind() != ShardKind.RANGE || blockFrom < 0 || blockFrom >= blockTo || blockTo > spec.blockCount()) {
                throw inconsistent("has blocks [" + blockFrom + ", " + blockTo + ") of shard '" + spec.id() + "', which has "
                        + (spec.kind() == ShardKind.RANGE ? spec.blockCount() + " blocks" : "none"));
            }
            if (committed[shard]) {
                return;
            }
            if (ranges[shard] == null) {
                ranges[shard] = new RangeState(spec.blockCount());
            }
            RangeState range = ranges[shard];
            WireReader in = new WireReader(output);
            if (in.readVarInt() != blockTo - blockFrom) {
                throw inconsistent("has a chunk of shard '" + spec.id() + "' with the wrong number of partial results");
            }
            for (int b = blockFrom; b < blockTo; b++) {
                byte[] partial = in.readBytes();
                if (range.partials[b] == null) {
                    range.partials[b] = partial;
                    range.done++;
                }
            }
            range.restoredChunks++;
        }

        private ShardSpec journaledShard(int shard) {
            if (shard < 0 || shard >= specs.size()) {
                throw inconsistent("names shard #" + shard + " but the graph has " + specs.size());
            }
            return specs.get(shard);
        }

        private RunDirectoryException inconsistent(String what) {
            return new RunDirectoryException("the journal in " + config.runDirectory() + " " + what
                    + ", although its graph fingerprint matches; move the run directory away and run again");
        }
    }

    // ---------------------------------------------------------------- ClusterView

    @Override
    public List<? extends RankView> ranks() {
        return workerSlots;
    }

    @Override
    public CapacityForecaster forecaster() {
        return forecaster;
    }

    @Override
    public long expectedRunNanos() {
        return expectedRunNanos;
    }

    @Override
    public int partitionCoresOf(RankView excessRank) {
        ExcessCapacityFeed feed = config.excessCapacityFeed();
        return feed == null ? excessRank.cores() : feed.coresPerExcessRank();
    }

    /** The state of the unit that runs shard {@code index} (for tests and diagnostics); null for range shards. */
    public ShardState stateOf(int index) {
        Task t = taskOfShard[index];
        return t == null ? null : t.lifecycle.state();
    }

    private RankSlot slot(int rank) {
        return rank > 0 && rank < slots.length ? slots[rank] : null;
    }

    /** Progress of a range shard: which blocks are done, and what each produced. */
    private static final class RangeState {
        final byte[][] partials;
        int next;
        int done;
        /** Chunks restored from the journal: only then may done blocks lie ahead of {@link #next}. */
        int restoredChunks;
        long blockNanos;

        RangeState(int blocks) {
            partials = new byte[blocks][];
        }
    }

    private record Timer(long at, int sequence, Runnable action) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int c = Long.compare(at, other.at);
            return c != 0 ? c : Integer.compare(sequence, other.sequence);
        }
    }

    @Override
    public String toString() {
        return "Scheduler[" + graph.name() + ", " + shardsCompleted + "/" + specs.size() + " committed, ready "
                + Arrays.stream(ready).mapToInt(ArrayDeque::size).sum() + "]";
    }
}
