package io.shatter.broker;

import io.shatter.RunConfig;
import io.shatter.RunSummary;
import io.shatter.ShardGraph;
import io.shatter.RunStoppedException;
import io.shatter.ShatterException;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.CoreSettings;
import io.shatter.broker.core.Event;
import io.shatter.broker.journal.Journal;
import io.shatter.observe.TimelineRecorder;
import io.shatter.protocol.Messages;
import io.shatter.protocol.ProtocolException;
import io.shatter.time.Clock;
import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The broker's shell on rank 0: one thread owns the {@link BrokerCore}. Frames from the transport,
 * lost peers and effect completions arrive on one queue from any thread; the loop drains everything
 * that is there, turns it into events for the core, places ready shards once for the whole batch,
 * writes the journal and sends one frame per rank. Batching like this (as the LMAX Disruptor does)
 * is what makes tiny shards cheap. The shell owns every side effect: the transport, the checkpoint
 * store (on its IO thread), the journal (opened and replayed here, forced on the injected clock),
 * excess workers, capacity polling and fault injection.
 */
public final class BrokerLoop implements Transport.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerLoop.class);
    private static final long PROGRESS_EVERY_NANOS = 200_000_000;
    private static final long FINISH_IO_TIMEOUT_NANOS = 300_000_000_000L;
    /** An idle broker still makes the last commits durable within about this long. */
    private static final long JOURNAL_FORCE_NANOS = 1_000_000_000L;

    private final ShardGraph graph;
    private final RunConfig config;
    private final Transport transport;
    private final Clock clock;
    private final BrokerCore core;
    private final EffectRunner effects;
    private final ConcurrentLinkedQueue<Inbound> inbox = new ConcurrentLinkedQueue<>();
    private final ExecutorService checkpointIo;
    private final AtomicInteger checkpointIoInFlight = new AtomicInteger();
    private final List<EventSource> sources = new ArrayList<>();
    private final FrameEvents frameEvents;
    /** The run's timeline, stamped on the shell's clock from what the core reports (records only with a trace or report). */
    private final TimelineRecorder timeline;
    /** Set when the broker's own loop failed (not a run failure the core decided). */
    private ShatterException brokerFailure;
    private volatile Thread owner;
    private volatile boolean parked;
    private long brokerCpuNanos;
    private long journalForceDue = Long.MAX_VALUE;
    /** Ranks dropped for a malformed frame on a transport that cannot cut them off: their frames are ignored. */
    private final BitSet cutOff = new BitSet();
    /** Records of the run directory's journal dropped when it was opened (torn or damaged). */
    private long journalRecordsDropped;
    /** When the frame being decoded was taken from the inbox: the time of each of its events. */
    private long frameTime;

    /** What the loop hears, from any thread. */
    private sealed interface Inbound {
        /** {@code link}: which connection of {@code source} sent it (a join rank may be reused by a new worker). */
        record Frame(int source, long link, byte[] bytes) implements Inbound {
        }

        record Lost(int rank, String reason) implements Inbound {
        }

        /** An effect's completion, or a sample from the excess-worker pool's thread. */
        record Happened(Event event) implements Inbound {
        }

        /** The user asked the run to stop (Ctrl-C). */
        record StopRequested(String reason) implements Inbound {
        }
    }

    /** A loop for {@code graph} over {@code transport}, whose rank must be 0. */
    public BrokerLoop(ShardGraph graph, RunConfig config, Transport transport) {
        this.graph = graph;
        this.config = config;
        this.transport = transport;
        this.clock = config.clock();
        this.checkpointIo = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "shatter-checkpoint-io");
            t.setDaemon(true);
            return t;
        });
        this.effects = new EffectRunner(graph, config.checkpointStore(), this::runOffLoop, this::offer,
                config.excessWorkers(), transport.size());
        this.core = new BrokerCore(graph, CoreSettings.of(config), config.policy(), config.forecaster(), effects);
        this.frameEvents = new FrameEvents(new FrameEvents.Sink() {
            @Override
            public void event(Event event) {
                core.handle(event, frameTime);
            }

            @Override
            public Messages.StampListener stamps() {
                return timeline;
            }
        });
        this.timeline = new TimelineRecorder(clock, config.recordTrace());
        core.observeWith(timeline);
    }

    /** Checkpoint file IO runs on its own thread; its outcome comes back through the inbox like any event. */
    private void runOffLoop(Runnable io) {
        checkpointIoInFlight.incrementAndGet();
        checkpointIo.execute(() -> {
            try {
                io.run();
            } finally {
                checkpointIoInFlight.decrementAndGet(); // after the completion is queued: zero means nothing more will come
                wakeUp();
            }
        });
    }

    /** Queues an event from any thread. */
    private void offer(Event event) {
        inbox.add(new Inbound.Happened(event));
        wakeUp();
    }

    /** The core (for results once {@link #run()} returned). */
    public BrokerCore core() {
        return core;
    }

    /** The run's timeline recorder (its {@code finish()} gives the timeline once {@link #run()} returned). */
    public TimelineRecorder timeline() {
        return timeline;
    }

    /** The run's figures. */
    public RunSummary summary() {
        return core.summary(brokerCpuNanos, clock.nanoTime()).withJournalRecordsDropped(journalRecordsDropped);
    }

    @Override
    public void onFrame(int source, byte[] frame) {
        onFrame(source, Transport.FIXED_LINK, frame);
    }

    @Override
    public void onFrame(int source, long link, byte[] frame) {
        inbox.add(new Inbound.Frame(source, link, frame));
        wakeUp();
    }

    @Override
    public void onPeerLost(int rank, String reason) {
        inbox.add(new Inbound.Lost(rank, reason));
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
        try {
            openJournal();
            startSources();
            transport.start(this);
            if (config.stop() != null) { // Ctrl-C: the stop reaches the core on this loop, like any event
                config.stop().onRequest(() -> {
                    inbox.add(new Inbound.StopRequested(config.stop().reason()));
                    wakeUp();
                });
            }
            try {
                loop();
            } catch (RuntimeException | Error e) {
                failed(e);
            }
            brokerCpuNanos = cpuTime ? threads.getCurrentThreadCpuTime() - cpuStart : 0;
            core.shutdownAll();
            flush();
            if (config.joinChannel() != null) {
                // Joined workers have their shutdown: admit no more (and cancel their jobs) before waiting for checkpoint writes.
                config.joinChannel().close();
            }
            if (config.excessWorkers() != null) {
                config.excessWorkers().close();
            }
            finishCheckpointIo();
            if (core.isFinished() && core.failure().isEmpty() && !config.keepCheckpoints()) {
                effects.discardAllCheckpoints(); // every shard is committed: no state will be resumed from
            }
        } finally {
            closeJournal();
        }
    }

    /**
     * The broker itself failed (a bug, or the JVM out of memory): the run stops as any failed run
     * does, so the ranks are told to stop, committed shards stay in the journal and the summary is
     * written, with the cause named in one paragraph.
     */
    private void failed(Throwable e) {
        LOG.error("the broker failed: {}", e.toString()); // one paragraph; the stack trace with --debug (the cause is kept)
        LOG.debug("the broker's failure", e);
        String where = config.runDirectory() == null ? ""
                : "; the shards it committed are kept in the journal in " + config.runDirectory() + ": run the same command again to resume";
        brokerFailure = new ShatterException("the broker failed (" + e + ")" + where
                + ". If this repeats, run with --debug and report the stack trace", e);
        core.abort(brokerFailure);
    }

    /** Opens the run directory's journal and replays it into the core, through its commit path. */
    private void openJournal() {
        if (config.runDirectory() == null) {
            return;
        }
        try {
            Journal journal = Journal.open(config.runDirectory(), graph.name(), graph.fingerprint(), config.runIdentity(),
                    core::replay, clock.nanoTime());
            journalRecordsDropped = journal.recordsDropped();
            effects.useJournal(journal);
        } catch (ShatterException e) {
            core.abort(e);
        }
    }

    private void startSources() {
        long now = clock.nanoTime();
        timeline.start();
        core.start(now);
        if (config.revokeEveryNanos() > 0) {
            sources.add(new ChaosRevoker(now, config.revokeEveryNanos(), config.revokeGraceNanos(), config.layout(), config.seed()));
        }
        if (config.excessCapacityFeed() != null) {
            sources.add(new CapacityFeedPoller(config.excessCapacityFeed(), now));
        }
        if (config.excessWorkers() != null) {
            config.excessWorkers().start(sample -> offer(new Event.CapacityObserved(sample)));
        }
    }

    private void loop() {
        int total = graph.size();
        long lastProgress = clock.nanoTime() - PROGRESS_EVERY_NANOS - 1; // the first batch reports at once
        while (true) {
            Inbound in;
            while ((in = inbox.poll()) != null) {
                handle(in);
            }
            long now = clock.nanoTime();
            fireDue(now);
            core.dispatch(now);
            timeline.sample(core.view(), core.readyShards());
            flush();
            if (now - lastProgress > PROGRESS_EVERY_NANOS || core.isFinished()) {
                config.progress().onProgress(core.shardsCompleted(), total);
                lastProgress = now;
            }
            if (core.isFinished()) {
                break;
            }
            parked = true;
            if (inbox.isEmpty()) {
                long deadline = nextDeadline();
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long wait = deadline - clock.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
            }
            parked = false;
        }
    }

    private void fireDue(long now) {
        OptionalLong coreDue = core.nextDeadline();
        if (coreDue.isPresent() && coreDue.getAsLong() <= now) {
            core.handle(new Event.TimerDue(), now);
        }
        for (EventSource source : sources) {
            if (source.nextDueNanos() <= now) {
                source.fire(now, core, event -> core.handle(event, now));
            }
        }
        if (journalForceDue <= now) {
            journalForceDue = Long.MAX_VALUE;
            flushJournal(now);
        }
    }

    private long nextDeadline() {
        long next = Math.min(journalForceDue, core.nextDeadline().orElse(Long.MAX_VALUE));
        for (EventSource source : sources) {
            next = Math.min(next, source.nextDueNanos());
        }
        return next;
    }

    private void handle(Inbound in) {
        if (in instanceof Inbound.Happened h) {
            core.handle(h.event(), clock.nanoTime());
        } else if (in instanceof Inbound.StopRequested r) {
            core.abort(new RunStoppedException(r.reason()));
        } else if (in instanceof Inbound.Lost l) {
            core.handle(new Event.PeerLost(l.rank(), l.reason()), clock.nanoTime());
        } else if (in instanceof Inbound.Frame f) {
            onFrame(f);
        }
    }

    /**
     * A peer's frame: decoded whole first, so that whatever a peer sends (truncated, oversized
     * counts, unknown types, values no worker sends) drops that peer and nothing else; the run goes on.
     */
    private void onFrame(Inbound.Frame f) {
        if (cutOff.get(f.source())) {
            return; // a rank dropped for a malformed frame whose transport cannot close its link
        }
        frameTime = clock.nanoTime();
        try {
            frameEvents.decode(f.source(), f.bytes());
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Decoding allocates no more than the frame holds, so even an OutOfMemoryError here is this frame's alone.
            String why = e instanceof ProtocolException ? e.getMessage() : e.toString();
            LOG.error("rank {} sent a malformed frame ({}); dropping the rank", f.source(), why);
            // Only the connection that sent it: if the rank went to a new worker meanwhile, that one stays.
            if (!transport.disconnect(f.source(), f.link(), "malformed frame: " + why)) {
                cutOff.set(f.source());
            }
            core.handle(new Event.PeerLost(f.source(), "malformed frame: " + why), clock.nanoTime());
            return;
        }
        frameEvents.deliver();
    }

    private void flush() {
        flushJournal(clock.nanoTime()); // first: a journal write error cancels attempts, which goes out in this flush
        effects.sendBatch(transport);
    }

    /** Hands this batch's journal records to the OS; a write error stops the run, keeping what was recorded. */
    private void flushJournal(long now) {
        Journal journal = effects.journal();
        if (journal == null) {
            return;
        }
        try {
            journal.flush(now);
        } catch (IOException e) {
            effects.useJournal(null);
            try {
                journal.close();
            } catch (IOException | RuntimeException ignored) {
                // the write error already reported is the one that matters
            }
            core.handle(new Event.JournalFailed("cannot write the journal " + journal.file() + " (" + e.getMessage()
                    + "): the run stops; what it recorded before is kept, so free space and run the same command again to resume"),
                    now);
            return;
        }
        if (journal.hasUnforcedRecords() && journalForceDue == Long.MAX_VALUE) {
            journalForceDue = now + JOURNAL_FORCE_NANOS;
        }
    }

    private void closeJournal() {
        Journal journal = effects.journal();
        if (journal == null) {
            return;
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warn("cannot close the journal {} ({}); a new run in this directory may replay it", journal.file(), e.getMessage());
        }
        effects.useJournal(null);
    }

    /**
     * Lets saves and discards already submitted finish (state saved before a failure must stay
     * durable), handing their completions to the core, which may ask for the next waiting save.
     */
    private void finishCheckpointIo() {
        long deadline = System.nanoTime() + FINISH_IO_TIMEOUT_NANOS;
        while (true) {
            Inbound in;
            while ((in = inbox.poll()) != null) {
                if (in instanceof Inbound.Happened h) {
                    core.handle(h.event(), clock.nanoTime()); // completions update the summary's checkpoint figures
                }
            }
            flushJournal(clock.nanoTime());
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
}
