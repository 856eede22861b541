package io.shatter.broker;

import io.shatter.RunConfig;
import io.shatter.ShardGraph;
import io.shatter.protocol.Messages;
import io.shatter.protocol.ProtocolException;
import io.shatter.protocol.WireWriter;
import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The broker's event loop on rank 0: one thread, one queue. Frames from the transport and lost-peer
 * notices arrive on the queue from any thread; the loop drains everything that is there, lets the
 * {@link Scheduler} handle it, places ready shards once for the whole batch, and sends one frame per
 * rank. Batching like this (as the LMAX Disruptor does) is what makes tiny shards cheap.
 */
public final class BrokerLoop implements Transport.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLoop.class);
    private static final long PROGRESS_EVERY_NANOS = 200_000_000;
    private static final long FINISH_IO_TIMEOUT_NANOS = 300_000_000_000L;

    private final ShardGraph graph;
    private final RunConfig config;
    private final Transport transport;
    private final Scheduler scheduler;
    private final WireWriter[] outgoing;
    private final List<Integer> dirty = new ArrayList<>();
    private final ConcurrentLinkedQueue<Inbound> inbox = new ConcurrentLinkedQueue<>();
    private final ExecutorService checkpointIo;
    private final AtomicInteger checkpointIoInFlight = new AtomicInteger();
    private volatile Thread owner;
    private volatile boolean parked;
    private long brokerCpuNanos;

    /** A loop for {@code graph} over {@code transport}, whose rank must be 0. */
    public BrokerLoop(ShardGraph graph, RunConfig config, Transport transport) {
        this.graph = graph;
        this.config = config;
        this.transport = transport;
        this.outgoing = new WireWriter[transport.size()];
        this.checkpointIo = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "shatter-checkpoint-io");
            t.setDaemon(true);
            return t;
        });
        this.scheduler = new Scheduler(graph, config, this::outbox, config.clock(), this::submitCheckpointIo);
    }

    /** Checkpoint file IO runs on its own thread; its outcome comes back through the inbox like any event. */
    private void submitCheckpointIo(Supplier<IOException> io, Consumer<IOException> onLoop) {
        checkpointIoInFlight.incrementAndGet();
        checkpointIo.execute(() -> {
            IOException error = io.get();
            inbox.add(new Inbound(-1, null, null, () -> onLoop.accept(error)));
            checkpointIoInFlight.decrementAndGet(); // after the completion is queued: zero means nothing more will come
            wakeUp();
        });
    }

    private WireWriter outbox(int rank) {
        WireWriter w = outgoing[rank];
        if (w == null) {
            w = outgoing[rank] = new WireWriter(1 << 12);
        }
        if (w.isEmpty()) {
            dirty.add(rank);
        }
        return w;
    }

    /** The scheduler (for results and the summary once {@link #run()} returned). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Broker thread CPU time spent in the loop. */
    public long brokerCpuNanos() {
        return brokerCpuNanos;
    }

    @Override
    public void onFrame(int source, byte[] frame) {
        inbox.add(new Inbound(source, frame, null, null));
        wakeUp();
    }

    @Override
    public void onPeerLost(int rank, String reason) {
        inbox.add(new Inbound(rank, null, reason, null));
        wakeUp();
    }

    private void onAction(Runnable action) {
        inbox.add(new Inbound(-1, null, null, action));
        wakeUp();
    }

    private void wakeUp() {
        if (parked) {
            LockSupport.unpark(owner);
        }
    }

    /** Runs the graph to completion or failure on the calling thread; then tells every rank to stop. */
    public void run() {
        owner = Thread.currentThread();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpuTime = threads.isCurrentThreadCpuTimeSupported();
        long cpuStart = cpuTime ? threads.getCurrentThreadCpuTime() : 0;
        transport.start(this);
        if (config.stop() != null) { // Ctrl-C: the stop is handled on this loop, like any event
            config.stop().onRequest(() -> onAction(() -> scheduler.stop(config.stop().reason())));
        }
        try {
            loop(threads, cpuTime, cpuStart);
        } finally {
            scheduler.closeJournal();
        }
    }

    private void loop(ThreadMXBean threads, boolean cpuTime, long cpuStart) {
        scheduler.start();
        int total = graph.size();
        long lastProgress = 0;
        while (true) {
            Inbound in;
            while ((in = inbox.poll()) != null) {
                handle(in);
            }
            scheduler.runDueTimers();
            scheduler.dispatch();
            scheduler.timeline().sample(scheduler, scheduler.readyShards());
            flush();
            long now = System.nanoTime();
            if (now - lastProgress > PROGRESS_EVERY_NANOS || scheduler.isFinished()) {
                config.progress().onProgress(scheduler.shardsCompleted(), total);
                lastProgress = now;
            }
            if (scheduler.isFinished()) {
                break;
            }
            parked = true;
            if (inbox.isEmpty()) {
                long deadline = scheduler.nextDeadline();
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long wait = deadline - config.clock().nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
            }
            parked = false;
        }
        brokerCpuNanos = cpuTime ? threads.getCurrentThreadCpuTime() - cpuStart : 0;
        scheduler.shutdownAll();
        flush();
        if (config.joinChannel() != null) {
            // Joined workers have their shutdown: admit no more (and cancel their jobs) before waiting for checkpoint writes.
            config.joinChannel().close();
        }
        finishCheckpointIo();
    }

    /**
     * Lets saves and discards already submitted finish (state saved before a failure must stay
     * durable), running their completions, which may submit the next waiting save of a shard.
     */
    private void finishCheckpointIo() {
        long deadline = System.nanoTime() + FINISH_IO_TIMEOUT_NANOS;
        while (true) {
            Inbound in;
            while ((in = inbox.poll()) != null) {
                if (in.action != null) {
                    in.action.run(); // completions update the summary's checkpoint figures
                }
            }
            if (checkpointIoInFlight.get() == 0 && inbox.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("checkpoint writes still running after {} s; leaving them", FINISH_IO_TIMEOUT_NANOS / 1_000_000_000L);
                break;
            }
            parked = true;
            if (inbox.isEmpty()) {
                LockSupport.parkNanos(this, 10_000_000);
            }
            parked = false;
        }
        checkpointIo.shutdown();
    }

    private void handle(Inbound in) {
        if (in.action != null) {
            in.action.run();
            return;
        }
        if (in.frame == null) {
            scheduler.onPeerLost(in.source, in.lostReason);
            return;
        }
        try {
            Messages.readBrokerFrame(in.source, in.frame, scheduler, scheduler.timeline());
        } catch (ProtocolException e) {
            LOG.error("rank {} sent a malformed frame ({}); treating the rank as lost", in.source, e.getMessage());
            scheduler.onPeerLost(in.source, "malformed frame: " + e.getMessage());
        }
    }

    private void flush() {
        scheduler.flushJournal(); // first: a journal write error cancels attempts, which goes out in this flush
        for (int rank : dirty) {
            WireWriter w = outgoing[rank];
            if (!w.isEmpty()) {
                transport.send(rank, w.toFrame());
                w.reset();
            }
        }
        dirty.clear();
    }

    /** One event for the loop: a frame, a lost peer, or an action such as a finished checkpoint write. */
    private record Inbound(int source, byte[] frame, String lostReason, Runnable action) {
    }
}
