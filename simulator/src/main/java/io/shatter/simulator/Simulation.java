package io.shatter.simulator;

import io.shatter.observe.TimelineRecorder;

import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.broker.ChaosRevoker;
import io.shatter.broker.EventSource;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Command;
import io.shatter.broker.core.Event;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.spi.CapacityForecaster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The simulation loop: the production {@link BrokerCore} on a simulated clock, as
 * {@code io.shatter.broker.BrokerLoop} runs it on the wall clock. Everything that happens at one
 * instant is handed to the core as one batch, then the core places ready shards once
 * ({@link BrokerCore#dispatch}), and its commands are carried out: messages reach the simulated
 * ranks after the latency, checkpoint IO goes to the modelled store, reductions answer at once.
 * Core timers and the event sources ({@code --revoke-every}'s {@link ChaosRevoker}, a trace's
 * capacity feed) fire when due, as in the loop. One thread; the same inputs give the same run.
 */
public final class Simulation {
    /** Reports progress now and then (the CLI draws a bar on it). */
    public interface Progress {
        void onProgress(int committed, int total, long simulatedNanos);
    }

    private static final int MAX_WARNINGS = 20;
    private static final long PROGRESS_EVERY_EVENTS = 1 << 16;

    private final ShardGraph graph;
    private final SimulationConfig config;
    private final SimClock clock;
    private final TimelineRecorder timeline;
    private final BrokerCore core;
    private final EventQueue queue = new EventQueue();
    private final List<Command> commands = new ArrayList<>();
    private final List<Command> batch = new ArrayList<>();
    private final List<EventSource> sources = new ArrayList<>();
    private final SimulatedRanks ranks;
    private final SimulatedStorage storage;
    private final List<String> warnings = new ArrayList<>();
    private long now;
    private long events;
    /** Wall time inside the core's methods (thread CPU time is a system call per read: too slow to take per event). */
    private long coreNanos;
    private CoreCalls recording;

    /**
     * A simulation of {@code graph} under {@code config}; {@code capacity} are further event
     * sources on {@code clock} (a trace's capacity feed), fired like the loop fires them.
     */
    public Simulation(ShardGraph graph, SimulationConfig config, WorkModel work, PlacementPolicy policy,
                      CapacityForecaster forecaster, SimClock clock, List<EventSource> capacity) {
        this.graph = graph;
        this.config = config;
        this.clock = clock;
        this.core = new BrokerCore(graph, config.coreSettings(), policy, forecaster, commands::add);
        // The same timeline the real shell keeps, on simulated time (ranks stamp nothing: slices end when the core hears of them).
        this.timeline = new TimelineRecorder(clock::getAsLong, config.recordTrace());
        core.observeWith(timeline);
        this.ranks = new SimulatedRanks(this, graph, config.layout(), work, config.latencyNanos(), config.hostCpus());
        this.storage = new SimulatedStorage(this, graph, work, config.storeBytesPerSecond(), config.storeFileNanos());
        if (config.revokeEveryNanos() > 0) {
            sources.add(new ChaosRevoker(0, config.revokeEveryNanos(), config.revokeGraceNanos(), config.layout(), config.seed()));
        }
        sources.addAll(capacity);
    }

    long now() {
        return now;
    }

    void at(long time, Runnable action) {
        queue.at(time, action);
    }

    void deliverAt(long time, Event event) {
        queue.at(time, () -> deliver(event));
    }

    /**
     * Keeps every call to the core from now on ({@link CoreCalls}), so that the core's own cost
     * can be measured afterwards by replaying them into a fresh core.
     */
    public void record(CoreCalls calls) {
        this.recording = calls;
    }

    /** Hands one event to the core, now. */
    void deliver(Event event) {
        events++;
        if (recording != null) {
            recording.handle(event, now);
        }
        long t0 = System.nanoTime();
        core.handle(event, now);
        coreNanos += System.nanoTime() - t0;
    }

    /** Runs to the end of the run (or to the time limit). */
    public SimulationReport run(Progress progress) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        long t0 = System.nanoTime();
        core.start(0);
        coreNanos += System.nanoTime() - t0;
        ranks.startAll();
        carryOutCommands();
        String stopped = null;
        boolean quiet = false;
        long nextProgress = PROGRESS_EVERY_EVENTS;
        while (!core.isFinished()) {
            long next = Math.min(queue.nextTime(), core.nextDeadline().orElse(Long.MAX_VALUE));
            for (EventSource s : sources) {
                next = Math.min(next, s.nextDueNanos());
            }
            if (next == Long.MAX_VALUE) {
                if (!quiet) { // the loop always places after its last batch: do so before calling it stuck
                    quiet = true;
                    dispatch();
                    continue;
                }
                stopped = "nothing more can happen but the run is not finished (" + core + "): every rank that could "
                        + "run the waiting shards is gone and none comes back";
                break;
            }
            if (next > config.maxSimulatedNanos()) {
                stopped = String.format(java.util.Locale.ROOT, "not finished after %.0f s of simulated time (%s); raise "
                        + "--max-time or give the run more capacity", config.maxSimulatedNanos() / 1e9, core);
                break;
            }
            quiet = false;
            now = next;
            clock.set(now);
            while (queue.nextTime() == now) {
                queue.poll().run();
            }
            OptionalLong due = core.nextDeadline();
            if (due.isPresent() && due.getAsLong() <= now) {
                deliver(new Event.TimerDue());
            }
            for (EventSource s : sources) {
                if (s.nextDueNanos() <= now) {
                    s.fire(now, core, this::deliver);
                }
            }
            dispatch();
            if (events >= nextProgress && progress != null) {
                nextProgress = events + PROGRESS_EVERY_EVENTS;
                progress.onProgress(core.shardsCompleted(), graph.size(), now);
            }
        }
        if (progress != null) {
            progress.onProgress(core.shardsCompleted(), graph.size(), now);
        }
        if (stopped != null && core.failure().isEmpty()) {
            core.abort(new ShatterException(stopped));
            carryOutCommands();
        }
        long wall = System.nanoTime() - wallStart;
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        Optional<String> failure = core.failure().map(Throwable::getMessage);
        return new SimulationReport(core.summary(coreNanos, now), failure, events, now, wall, cpu, coreNanos, List.copyOf(warnings),
                timeline.finish());
    }

    private void dispatch() {
        if (recording != null) {
            recording.dispatch(now);
        }
        long t0 = System.nanoTime();
        core.dispatch(now);
        coreNanos += System.nanoTime() - t0;
        carryOutCommands();
    }

    /** The commands of the batch, as {@code EffectRunner} carries them out in a real run. */
    private void carryOutCommands() {
        while (!commands.isEmpty()) {
            batch.clear();
            batch.addAll(commands);
            commands.clear();
            for (Command c : batch) {
                carryOut(c);
            }
        }
    }

    private void carryOut(Command c) {
        if (c instanceof Command.ToRank message) {
            ranks.send(message);
        } else if (c instanceof Command.SaveCheckpoint s) {
            storage.save(s);
        } else if (c instanceof Command.LoadCheckpoint l) {
            storage.load(l);
        } else if (c instanceof Command.DiscardCheckpoints d) {
            storage.discard(d);
        } else if (c instanceof Command.Reduce r) {
            // The reducer is user code and no value was computed: the reduction completes, with a placeholder.
            deliverAt(now, new Event.RangeReduced(r.shard(), new Event.ReduceOutcome.Reduced(new byte[8])));
        } else if (c instanceof Command.Warn w) {
            if (warnings.size() < MAX_WARNINGS) {
                warnings.add(w.message());
            }
        }
        // AppendJournal: a simulation keeps no journal. RequestExcessWorkers: no excess worker jobs are simulated.
    }
}
