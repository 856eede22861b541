package io.shatter.worker;

import io.shatter.CapacityClass;
import io.shatter.Priority;
import io.shatter.ShardGraph;
import io.shatter.SharedState;
import io.shatter.ShatterException;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;
import io.shatter.protocol.Messages;
import io.shatter.protocol.PackedResults;
import io.shatter.protocol.WireWriter;
import io.shatter.transport.Transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The worker loop of one rank: runs what the broker assigns, in priority order, on as many lanes
 * (threads) as the rank has cores, and answers with results, checkpoints and yields.
 *
 * <p>There is no separate control thread: whichever lane is idle reads the broker's frames, and a
 * lane running a resumable shard reads them at each safepoint, so a preemption or revocation is
 * seen within one step. Results are batched into one frame while more work is queued locally and
 * sent as soon as a lane would otherwise wait or a shard ran long, which keeps tiny shards cheap
 * without delaying long ones.
 */
public final class Worker implements Transport.Receiver, Messages.WorkerHandler {
    /**
     * At most this many messages or results per frame: a quarter of the most a core may hold queued
     * (the broker's {@code BatchSizing.MAX_DEPTH}), so the results of tiny shards reach the broker,
     * and the queue is refilled, well before it runs dry.
     */
    private static final int FLUSH_MESSAGES = 256;
    private static final int FLUSH_BYTES = 1 << 20;
    /**
     * Results go out once the shards behind them ran this long together: a long shard's result at
     * once (latency matters more than batching), short ones batched (each frame wakes the broker,
     * whose CPU time on a busy node comes out of the workers'), delayed by at most about this much.
     */
    private static final long FLUSH_AFTER_NANOS = 1_000_000;
    /** A shared-state request unanswered for this long means the broker is gone or stuck: fail the shard. */
    private static final long SHARED_STATE_TIMEOUT_NANOS = 60_000_000_000L;

    private final ShardGraph graph;
    private final List<ShardSpec> specs;
    private final Transport transport;
    private final int cores;
    private final List<String> capabilities;
    private final CapacityClass capacityClass;

    private final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile int waitingLanes;
    private final Map<Integer, ForkJoinPool> pools = new ConcurrentHashMap<>();

    // Guarded by lock.
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Assignment>[] queued = new ArrayDeque[Priority.values().length];
    private final LiveAttempts live = new LiveAttempts();
    private final Map<Integer, byte[]> cache = new HashMap<>();
    private final WireWriter outbox = new WireWriter(1 << 12);
    /** Finished attempts' results not yet in {@link #outbox}: they leave packed, before the next other message ({@link #out()}). */
    private final PackedResults results = new PackedResults();
    private final java.util.function.Supplier<WireWriter> outboxFirst = this::out;
    private final Map<Long, SharedAnswer> sharedReplies = new HashMap<>();
    private long nextSharedRequest;
    /** Run time of the shards whose results wait in {@link #outbox}. */
    private long unflushedRunNanos;
    private int freeCores;
    private int running;
    private boolean revoked;
    private boolean leavePending;
    private boolean exitAfterLeaving;
    private boolean shutdown;
    private volatile String brokerLost;
    private final AttemptRunner runner = new AttemptRunner(new AttemptRunner.Safepoints() {
        @Override
        public void poll() {
            pollControl();
        }

        @Override
        public void checkpoint(Assignment a, long step, byte[] state) {
            sendCheckpoint(a, step, state);
        }
    });

    /**
     * A worker for {@code graph} (which must be the graph the broker runs).
     *
     * @param cores         cores this rank offers (lanes)
     * @param capabilities  labels this rank offers
     * @param capacityClass what kind of capacity it is (shown to shards)
     */
    public Worker(ShardGraph graph, Transport transport, int cores, List<String> capabilities, CapacityClass capacityClass) {
        this.graph = graph;
        this.specs = graph.shards();
        this.transport = transport;
        this.cores = cores;
        this.capabilities = List.copyOf(capabilities);
        this.capacityClass = capacityClass;
        this.freeCores = cores;
        for (int p = 0; p < queued.length; p++) {
            queued[p] = new ArrayDeque<>();
        }
    }

    /** Joins the broker and works until it says the run is over. Uses the calling thread as one lane. */
    public void run() {
        transport.start(this);
        lock.lock();
        try {
            Messages.hello(out(), cores, capabilities, graph.fingerprint());
            flush();
        } finally {
            lock.unlock();
        }
        List<Thread> lanes = new ArrayList<>();
        for (int i = 1; i < cores; i++) {
            int index = i;
            Thread lane = new Thread(() -> lane(index), "shatter-rank-" + transport.rank() + "-lane-" + i);
            lane.setDaemon(true);
            lane.start();
            lanes.add(lane);
        }
        lane(0);
        pools.values().forEach(ExecutorService::shutdownNow);
        if (brokerLost != null) {
            throw new ShatterException("rank " + transport.rank() + " lost the broker (rank 0): " + brokerLost);
        }
    }

    /**
     * Leaves the run on this worker's own initiative, as a revocation would (for example on Slurm's
     * SIGTERM): queued shards go back at once, running resumable shards yield their state at the
     * next safepoint, the broker hears that this rank left, and {@link #run()} returns. Any thread.
     */
    public void leave() {
        lock.lock();
        try {
            exitAfterLeaving = true;
            Messages.leaving(out()); // first, so that the broker assigns nothing more to a rank on its way out
            onRevoke(0);
            flush();
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Why the broker was lost, or null while it is there (and after a normal end of the run). */
    public String brokerLost() {
        return brokerLost;
    }

    /** The broker vanished: nobody will take results any more, so the worker stops. */
    @Override
    public void onPeerLost(int rank, String reason) {
        if (rank != 0) {
            return;
        }
        lock.lock();
        try {
            drainFrames(); // frames that arrived before the loss come first: the broker's shutdown among them
            if (shutdown) {
                return; // the run ended normally and the broker closed the connection
            }
            brokerLost = reason;
            onShutdown();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onFrame(int source, byte[] frame) {
        frames.add(frame);
        if (waitingLanes > 0) {
            lock.lock();
            try {
                wake.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Lane {@code index} (one per core; its attempts never overlap, which is what the timeline draws on). */
    private void lane(int index) {
        lock.lock();
        try {
            while (!shutdown) {
                drainFrames();
                Assignment next = nextRunnable();
                if (next != null) {
                    freeCores -= next.spec.cores();
                    running++;
                    next.started = true;
                    lock.unlock();
                    Outcome outcome;
                    long started = System.nanoTime();
                    try {
                        outcome = runner.run(next, new AttemptContext(next, specs, transport.rank(), capacityClass, pools,
                                sharedStateOf));
                    } finally {
                        lock.lock();
                    }
                    freeCores += next.spec.cores();
                    running--;
                    live.remove(next.key());
                    if (outcome instanceof Outcome.Done done && next.spec.kind() != ShardKind.RANGE
                            && graph.dependentsOf(next.spec.index()).length > 0) {
                        cache.put(next.spec.index(), done.output()); // the broker counts the producer as a holder
                    }
                    outcome.write(outboxFirst, results, next, index, started);
                    unflushedRunNanos += outcome.runNanos();
                    if (outbox.messages() + results.size() >= FLUSH_MESSAGES || outbox.size() + results.outputBytes() >= FLUSH_BYTES
                            || unflushedRunNanos >= FLUSH_AFTER_NANOS) {
                        flush();
                    }
                    continue;
                }
                if (leavePending && running == 0) {
                    leavePending = false;
                    Messages.left(out());
                    if (exitAfterLeaving) {
                        flush();
                        shutdown = true;
                        wake.signalAll();
                        break;
                    }
                }
                flush();
                // Announce the wait before looking at the queue: a sender that adds a frame after the
                // look then sees waitingLanes > 0 and signals, so no wakeup is lost.
                waitingLanes++;
                try {
                    if (frames.isEmpty() && !shutdown) {
                        wake.awaitUninterruptibly();
                    }
                } finally {
                    waitingLanes--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends what the outbox holds. Under the lock, so that frames leave in the order they were written. */
    private void flush() {
        results.writeTo(outbox);
        if (!outbox.isEmpty()) {
            byte[] frame = outbox.toFrame();
            outbox.reset();
            unflushedRunNanos = 0;
            transport.send(0, frame);
        }
    }

    /** The outbox, with the results held so far written into it first (so that messages keep their order). */
    private WireWriter out() {
        results.writeTo(outbox);
        return outbox;
    }

    private void drainFrames() {
        byte[] frame;
        boolean any = false;
        while ((frame = frames.poll()) != null) {
            Messages.readWorkerFrame(frame, this);
            any = true;
        }
        if (any && waitingLanes > 0) {
            wake.signalAll(); // new work for the idle lanes
        }
    }

    private Assignment nextRunnable() {
        if (revoked) {
            return null;
        }
        for (ArrayDeque<Assignment> q : queued) {
            Assignment head = q.peekFirst();
            if (head != null && head.spec.cores() <= freeCores) {
                return q.pollFirst();
            }
        }
        return null;
    }

    /** At a safepoint: read the broker's pending frames if no other lane is doing so. */
    private void pollControl() {
        if (!frames.isEmpty() && lock.tryLock()) {
            try {
                drainFrames();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- broker messages (under lock)

    @Override
    public void onAssign(int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                         long resumeStep, byte[] state, List<Messages.Input> inputs) {
        Map<Integer, byte[]> values = inputs.isEmpty() ? Map.of() : new HashMap<>();
        for (Messages.Input in : inputs) {
            byte[] bytes = in.cached() ? cache.get(in.shardIndex()) : in.bytes();
            if (bytes == null) {
                Messages.failed(out(), taskId, attempt, Messages.Stamp.NONE, 0, "internal: input " + specs.get(in.shardIndex()).id()
                        + " was announced as cached on rank " + transport.rank() + " but is not");
                return;
            }
            if (!in.cached()) {
                cache.put(in.shardIndex(), bytes);
            }
            values.put(in.shardIndex(), bytes);
        }
        Assignment a = new Assignment(taskId, attempt, specs.get(shardIndex), blockFrom, blockTo, checkpointEveryNanos,
                resumeStep, state, values);
        if (revoked) {
            Messages.yielded(out(), taskId, attempt, Messages.Stamp.NONE, Messages.NO_STEP, new byte[0], 0);
            return;
        }
        live.put(a);
        queued[a.spec.priority().ordinal()].addLast(a);
    }

    @Override
    public void onPreempt(int taskId, int attempt) {
        Assignment a = live.get(Assignment.key(taskId, attempt));
        if (a == null) {
            return; // already finished: its result is on the way
        }
        if (a.started) {
            a.yieldRequested = true;
        } else {
            unqueue(a);
            Messages.yielded(out(), taskId, attempt, Messages.Stamp.NONE, Messages.NO_STEP, new byte[0], 0);
        }
    }

    @Override
    public void onCancel(int taskId, int attempt) {
        Assignment a = live.get(Assignment.key(taskId, attempt));
        if (a != null) {
            a.cancelled = true;
            if (!a.started) {
                unqueue(a);
            }
        }
    }

    @Override
    public void onRevoke(long graceNanos) {
        revoked = true;
        leavePending = true;
        for (ArrayDeque<Assignment> q : queued) {
            for (Assignment a : q) {
                live.remove(a.key());
                Messages.yielded(out(), a.taskId, a.attempt, Messages.Stamp.NONE, Messages.NO_STEP, new byte[0], 0);
            }
            q.clear();
        }
        for (Assignment a : live.all()) {
            a.yieldRequested = true;
        }
    }

    @Override
    public void onRestore() {
        revoked = false;
        leavePending = false;
        cache.clear(); // a restored rank is a new process as far as the broker knows
        Messages.hello(out(), cores, capabilities, graph.fingerprint());
    }

    @Override
    public void onRelease(int[] shardIndices) {
        for (int i : shardIndices) {
            cache.remove(i);
        }
    }

    @Override
    public void onShutdown() {
        shutdown = true;
        for (Assignment a : live.all()) {
            a.cancelled = true;
        }
        wake.signalAll();
    }

    @Override
    public void onSharedReply(long requestId, boolean applied, long version, byte[] value) {
        sharedReplies.put(requestId, new SharedAnswer(applied, new SharedState.Entry(version, value)));
        wake.signalAll(); // the lane waiting for it may be parked
    }

    /**
     * Sends one shared-state request and waits for its answer. The waiting lane reads the broker's
     * frames itself meanwhile, so the answer arrives even when every other lane is busy.
     */
    private SharedAnswer sharedRequest(LongConsumer write) {
        lock.lock();
        try {
            long id = ++nextSharedRequest;
            write.accept(id);
            flush();
            long deadline = System.nanoTime() + SHARED_STATE_TIMEOUT_NANOS;
            while (!sharedReplies.containsKey(id)) {
                drainFrames();
                if (sharedReplies.containsKey(id)) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (shutdown || left <= 0) {
                    throw new IllegalStateException(shutdown ? "the run ended while this shard waited for shared state"
                            : "the broker did not answer a shared-state request within 60 s");
                }
                waitingLanes++;
                try {
                    if (frames.isEmpty()) {
                        wake.awaitNanos(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for shared state", e);
                } finally {
                    waitingLanes--;
                }
            }
            return sharedReplies.remove(id);
        } finally {
            lock.unlock();
        }
    }

    /** The broker's answer to one shared-state request. */
    private record SharedAnswer(boolean applied, SharedState.Entry entry) {
    }

    /** Made for an attempt only when it asks for shared state (most never do). */
    private final java.util.function.Function<Assignment, SharedState> sharedStateOf = this::sharedOf;

    /** The broker's shared state as attempt {@code a}'s transaction sees it (the broker keeps the transaction). */
    private SharedState sharedOf(Assignment a) {
        return new SharedState() {
            @Override
            public Entry get(String key) {
                return sharedRequest(id -> Messages.sharedGet(out(), a.taskId, a.attempt, id, key)).entry();
            }

            @Override
            public boolean compareAndSet(String key, long expectedVersion, byte[] value) {
                return sharedRequest(id -> Messages.sharedCompareAndSet(out(), a.taskId, a.attempt, id, key, expectedVersion, value))
                        .applied();
            }
        };
    }

    private void unqueue(Assignment a) {
        queued[a.spec.priority().ordinal()].remove(a);
        live.remove(a.key());
    }

    /** A checkpoint taken at a safepoint goes out at once. */
    private void sendCheckpoint(Assignment a, long step, byte[] state) {
        lock.lock();
        try {
            Messages.checkpoint(out(), a.taskId, a.attempt, step, state);
            flush();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Worker[rank " + transport.rank() + ", " + cores + " cores, " + capacityClass + "]";
    }

}
