package io.shatter.broker.core;

import io.shatter.Priority;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.broker.policy.RankView;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.observe.Mark;
import io.shatter.observe.ScheduleObserver;
import io.shatter.spi.CapacityForecaster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The broker's decisions, as a pure state machine: typed {@link Event}s in, typed {@link Command}s
 * out, the time passed in by the caller. No threads, no IO, no clock, no wire encoding, no user
 * code: the same object runs under the production loop ({@code io.shatter.broker.BrokerLoop}), in
 * deterministic property tests and in simulations.
 *
 * <p>Reading order: {@link #start}, {@link #handle} (what each event does), {@link #dispatch}
 * ({@link PlacementRound}: placement). Collaborators in this package own one concern each: {@link Membership} (ranks
 * joining, leaving, revoked; capacity), {@link CommitPath} (commits, range shards, journal replay),
 * {@link CheckpointQueue} (saving and loading states), {@link AttemptOutcomes} (what a worker's
 * result, failure or yield does, shadow pairs), {@link RunCounters} (the summary).
 */
public final class BrokerCore {
    final ShardGraph graph;
    final List<ShardSpec> specs;
    final CoreSettings settings;
    final PlacementPolicy policy;
    final CapacityForecaster forecaster;
    private final Consumer<Command> out;
    final CapacityIndex index;
    final Membership membership;
    final CommitPath commits;
    final CheckpointQueue checkpoints;
    final AttemptOutcomes attempts;
    final RunCounters counters = new RunCounters();
    final TimerQueue timers = new TimerQueue();

    /** Live tasks by id; a task leaves once its attempt is over and nothing more can refer to it, and its id is reused. */
    final TaskTable tasks = new TaskTable();
    /** The workers' hot state, by rank. */
    final RankColumns ranks;
    final Task[] taskOfShard;
    final int[] lastAttemptOfShard;
    final BitSet[] holders;
    @SuppressWarnings("unchecked")
    final ArrayDeque<Task>[] ready = new ArrayDeque[Priority.values().length];
    /** Running CRITICAL attempts still without a shadow (started as soon as spare or excess cores are free). */
    final List<Task> unshadowed = new ArrayList<>();
    final RankSlot[] slots;
    final List<RankSlot> workerSlots;
    /** Hears attempt ends, rank events and durable checkpoints, for the timeline. */
    ScheduleObserver observer = ScheduleObserver.NONE;
    final SharedStore shared = new SharedStore();

    final CoreView view;
    private final PlacementRound placement;
    /** Holds each rank's assignments until the core returns to its caller, and sends them in batches. */
    private final AssignmentBatcher batcher;
    /** The time of the event being handled. */
    long now;
    long startedAt;
    boolean started;
    boolean stopped;
    ShatterException failure;
    long expectedRunNanos;

    /** A core for {@code graph}; its commands go to {@code out}, in order. */
    public BrokerCore(ShardGraph graph, CoreSettings settings, PlacementPolicy policy, CapacityForecaster forecaster,
                      Consumer<Command> out) {
        this.graph = graph;
        this.specs = graph.shards();
        this.settings = settings;
        this.policy = policy;
        this.forecaster = forecaster;
        this.out = out;
        int n = specs.size();
        taskOfShard = new Task[n];
        lastAttemptOfShard = new int[n];
        holders = new BitSet[n];
        for (int p = 0; p < ready.length; p++) {
            ready[p] = new ArrayDeque<>();
        }
        int workers = settings.layout().workers();
        ranks = new RankColumns(workers, tasks);
        index = new CapacityIndex(workers, ranks, s -> partitionCoresOf(s));
        slots = new RankSlot[workers + 1];
        List<RankSlot> list = new ArrayList<>(workers);
        for (int r = 1; r <= workers; r++) {
            slots[r] = new RankSlot(r, settings.layout().classOf(r), settings.layout().isJoinSlot(r), index, ranks, tasks);
            index.register(slots[r]);
            list.add(slots[r]);
        }
        workerSlots = List.copyOf(list);
        view = new CoreView(this);
        membership = new Membership(this);
        commits = new CommitPath(this);
        checkpoints = new CheckpointQueue(this);
        attempts = new AttemptOutcomes(this);
        placement = new PlacementRound(this);
        batcher = new AssignmentBatcher(slots.length, rank -> AssignmentBatcher.limitFor(this, rank), out);
    }

    void emit(Command command) {
        if (command instanceof Command.ToRank message) {
            batcher.flush(message.rank()); // the rank hears of its attempts before anything about them
        }
        out.accept(command);
    }

    // ---------------------------------------------------------------- the caller's entry points

    /**
     * Restores one journal record through the live commit path, before {@link #start}. Throws
     * {@link io.shatter.RunDirectoryException} if the record does not fit the graph.
     */
    public void replay(JournalRecord record) {
        commits.replay(record);
    }

    /** Stops a run that cannot start (its run directory was refused, say) with {@code cause}. */
    public void abort(ShatterException cause) {
        fail(cause);
        batcher.flushAll();
    }

    /** Makes the shards without dependencies ready and arms the join deadline. */
    public void start(long now) {
        this.now = now;
        startedAt = now;
        started = true;
        if (stopped) {
            return;
        }
        if (!commits.resumingEarlierRun()) {
            checkpoints.discardEarlierRuns();
        }
        commits.makeInitialShardsReady();
        membership.armJoinDeadline();
        batcher.flushAll();
    }

    /** Handles one event that happened at {@code now}. Call {@link #dispatch} after a batch of them. */
    public void handle(Event event, long now) {
        this.now = now;
        if (event instanceof Event.AttemptDone e) {
            attempts.onDone(e);
        } else if (event instanceof Event.CheckpointTaken e) {
            sharedCheckpoint(e.rank(), e.taskId(), e.attempt(), Optional.of(e.state()));
            checkpoints.onTaken(e);
        } else if (event instanceof Event.AttemptYielded e) {
            sharedCheckpoint(e.rank(), e.taskId(), e.attempt(), e.state()); // before the attempt ends and its transaction with it
            attempts.onYielded(e);
        } else if (event instanceof Event.AttemptFailed e) {
            attempts.onFailed(e);
        } else if (event instanceof Event.CheckpointDurable e) {
            checkpoints.onDurable(e);
        } else if (event instanceof Event.CheckpointLoaded e) {
            checkpoints.onLoaded(e);
        } else if (event instanceof Event.RangeReduced e) {
            commits.onReduced(e);
        } else if (event instanceof Event.SharedGet e) {
            emit(shared.get(e, runs(e.rank(), e.taskId(), e.attempt())));
        } else if (event instanceof Event.SharedCompareAndSet e) {
            emit(shared.compareAndSet(e, runs(e.rank(), e.taskId(), e.attempt())));
        } else if (event instanceof Event.TimerDue) {
            fireDueTimers();
        } else if (event instanceof Event.JournalFailed e) {
            fail(new ShatterException(e.message()));
        } else {
            membership.handle(event);
        }
        batcher.flushAll(); // what this event assigned (a resumed attempt, say) leaves now
    }

    /** The time the next timer is due, if one is armed: call {@code handle(new TimerDue(), t)} then. */
    public OptionalLong nextDeadline() {
        return timers.isEmpty() ? OptionalLong.empty() : OptionalLong.of(timers.nextAt());
    }

    private void fireDueTimers() {
        while (!timers.isEmpty() && timers.nextAt() <= now) {
            TimerKey key = timers.poll();
            membership.onTimer(key);
        }
    }

    // ---------------------------------------------------------------- placement

    /**
     * Places ready shards on free capacity, highest priority first and, within a priority, in the
     * order they became ready ({@link PlacementRound}). Called after each batch of events.
     */
    public void dispatch(long now) {
        this.now = now;
        if (stopped || !membership.allJoined()) {
            return;
        }
        view.newRound();
        placement.run();
        batcher.flushAll();
    }

    Task newTask(ShardSpec spec, int blockFrom, int blockTo) {
        Task task = new Task(tasks.nextId(), spec, blockFrom, blockTo, false, this, tasks);
        tasks.put(task, spec.cores(), spec.index(), spec.kind() == ShardKind.RANGE);
        return task;
    }

    Task newGenerator(ShardSpec spec) {
        return new Task(-1, spec, 0, spec.blockCount(), true, this, tasks);
    }

    /** Forgets a task nothing can refer to any more (its attempt is over and no state of it is being written). */
    void retireIfDone(Task task) {
        retireIfDone(task.id);
    }

    /** {@link #retireIfDone(Task)} by id: reads only the task table, not the task. */
    void retireIfDone(int taskId) {
        if (tasks.isLive(taskId) && tasks.isOver(taskId) && !tasks.isSavingCheckpoint(taskId)) {
            tasks.remove(taskId);
        }
    }

    /** Live tasks (for tests). */
    int liveTasks() {
        return tasks.live();
    }

    void assign(Task task, RankSlot slot) {
        // Plain and resumable shards number attempts per shard (a shadow continues its primary's numbering).
        int attempt = task.spec.kind() == ShardKind.RANGE ? task.startAttempt()
                : task.startAttempt(++lastAttemptOfShard[task.spec.index()]);
        task.placeOn(slot.rank);
        task.assignedAt = now;
        task.preemptRequested = false;
        slot.add(task.id);
        index.attemptHeld(1);
        counters.attemptsStarted++;
        if (settings.shadows() && task.spec.priority() == Priority.CRITICAL && task.spec.kind() != ShardKind.RANGE
                && !task.isShadow()) {
            unshadowed.add(task);
        }
        if (task.spec.kind() == ShardKind.RESUMABLE) {
            checkpoints.loadThenAssign(task, attempt); // off the loop; the assignment follows the load
        } else {
            sendAssignment(task, attempt, Optional.empty());
        }
    }

    /**
     * Sends the assignment, with the inputs its rank does not hold yet. Decided now, not at
     * placement: an attempt that ended while its checkpoint loaded never reached its rank.
     */
    void sendAssignment(Task task, int attempt, Optional<SavedState> resumeFrom) {
        RankSlot slot = slots[task.rank()];
        List<Command.Input> inputs = task.spec.inputs().length == 0 ? List.of() : new ArrayList<>(task.spec.inputs().length);
        for (int in : task.spec.inputs()) {
            if (holders[in] != null && holders[in].get(slot.rank)) {
                inputs.add(new Command.Input.Held(in));
            } else {
                inputs.add(new Command.Input.Sent(in, commits.output(in)));
                markHolder(in, slot);
            }
        }
        long every = task.spec.checkpointEvery() != null ? task.spec.checkpointEvery().toNanos() : settings.checkpointEveryNanos();
        resumeFrom.ifPresent(state -> shared.resumed(task.id, attempt, task.spec.index(), state.step()));
        batcher.add(new Command.Assign(task.rank(), task.id, attempt, task.spec.index(), task.blockFrom, task.blockTo, every,
                resumeFrom, inputs));
    }

    void requestPreemption(Task victim, Task forTask) {
        observer.mark(Mark.Kind.PREEMPTION_REQUESTED, victim.rank(), victim.name + " for " + forTask.name);
        victim.preemptRequested = true;
        victim.preemptRequestedAt = now;
        victim.preemptLatencyOpen = true;
        victim.setPreemptedFor(forTask);
        forTask.setPreemptedFor(victim);
        emit(new Command.Preempt(victim.rank(), victim.id, victim.attempt()));
    }

    void markHolder(int shardIndex, RankSlot slot) {
        if (holders[shardIndex] == null) {
            holders[shardIndex] = new BitSet();
        }
        if (!holders[shardIndex].get(slot.rank)) {
            holders[shardIndex].set(slot.rank);
            slot.cachedOutputs.add(shardIndex);
        }
    }

    long inputBytesMissingOn(ShardSpec spec, int rank) {
        return InputHolders.bytesMissingOn(spec, rank, holders, commits::output);
    }

    int[] ranksHoldingInputs(ShardSpec spec, int limit) {
        return InputHolders.ranksHolding(spec, limit, holders);
    }

    // ---------------------------------------------------------------- worker results

    /** The attempt a worker's message is about, or null if the broker no longer expects it (attempt fencing). */
    Task currentTask(int rank, int taskId, int attempt) {
        return isCurrentAttempt(rank, taskId, attempt) ? tasks.get(taskId) : null;
    }

    /**
     * Whether a worker's message is about an attempt the broker expects (attempt fencing); counts it
     * stale if not. Reads only the table's columns.
     */
    boolean isCurrentAttempt(int rank, int taskId, int attempt) {
        if (!tasks.runsNow(taskId, rank, attempt)) {
            counters.staleResults++;
            return false;
        }
        return true;
    }

    private void sharedCheckpoint(int rank, int taskId, int attempt, Optional<SavedState> state) {
        if (state.isPresent() && runs(rank, taskId, attempt)) {
            shared.checkpointTaken(taskId, attempt, tasks.shard(taskId), state.get().step());
        }
    }

    /** Whether {@code rank} runs attempt {@code attempt} of task {@code taskId} now (a question, not a result: nothing counted). */
    boolean runs(int rank, int taskId, int attempt) {
        return tasks.runsNow(taskId, rank, attempt);
    }

    /** The attempt whose checkpoint load just ended, if it still waits for it. */
    Task currentTaskLoading(int taskId, int attempt) {
        Task task = tasks.get(taskId);
        return task != null && task.isLoading() && task.isOnRank() && task.isCurrent(attempt) ? task : null;
    }

    Task taskById(int taskId) {
        return tasks.get(taskId);
    }

    // ---------------------------------------------------------------- outcome

    void fail(ShatterException cause) {
        if (failure != null) {
            return;
        }
        failure = cause;
        stopped = true;
        for (RankSlot s : workerSlots) {
            for (Task t : s.attemptsHeld()) {
                emit(new Command.Cancel(s.rank, t.id, t.attempt()));
            }
        }
    }

    /** Whether every shard is committed or the run failed. */
    public boolean isFinished() {
        return stopped || commits.allCommitted();
    }

    /** The failure that stopped the run, if it failed. */
    public Optional<ShatterException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Tells every worker rank the run is over. */
    public void shutdownAll() {
        for (RankSlot s : workerSlots) {
            emit(new Command.Shutdown(s.rank));
        }
    }

    /** Shards committed so far. */
    public int shardsCompleted() {
        return commits.shardsCompleted();
    }

    /** The committed output of shard {@code index}, if it has one kept. */
    public byte[] output(int index) {
        return commits.output(index);
    }

    /** Reports attempt ends, rank events and durable checkpoints to {@code observer} (the shell's timeline). */
    public void observeWith(ScheduleObserver observer) {
        this.observer = observer;
    }

    /** Shards ready to run and waiting for capacity (for the timeline's counters). */
    public int readyShards() {
        int n = 0;
        for (ArrayDeque<Task> queue : ready) {
            n += queue.size();
        }
        return n;
    }

    /** The run's figures; {@code brokerCpuNanos} is the broker thread's CPU time, if measured. */
    public io.shatter.RunSummary summary(long brokerCpuNanos, long now) {
        return counters.summary(this, brokerCpuNanos, now);
    }

    // ---------------------------------------------------------------- views

    /** Every worker rank, in rank order. */
    public List<? extends RankView> ranks() {
        return workerSlots;
    }

    /** The ranks and the forecast as the placement policy (and the timeline's sampling) sees them. */
    public ClusterView view() {
        return view;
    }

    /** Idle partition cores an excess rank stands for: the feed's per-rank figure, else the rank's own cores. */
    int partitionCoresOf(RankView excessRank) {
        return settings.coresPerExcessRank().orElse(excessRank.cores());
    }

    @Override
    public String toString() {
        int queued = 0;
        for (ArrayDeque<Task> q : ready) {
            queued += q.size();
        }
        return "BrokerCore[" + graph.name() + ", " + shardsCompleted() + "/" + specs.size() + " committed, ready " + queued + "]";
    }
}
