package io.shatter.simulator;

import io.shatter.ShardGraph;
import io.shatter.broker.core.Command;
import io.shatter.broker.core.Event;
import io.shatter.broker.core.SavedState;
import io.shatter.graph.ShardSpec;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The broker's checkpoint store, modelled: saves and loads go through one IO queue in submission
 * order, as on the broker's IO thread, each taking a fixed cost per file plus its state size over
 * the bandwidth; looking for a checkpoint that does not exist (a shard's first attempt) costs nothing. Only the newest step per shard is kept (what a load returns).
 */
final class SimulatedStorage {
    private final Simulation sim;
    private final WorkModel work;
    private final Map<String, ShardSpec> byId = new HashMap<>();
    private final long bytesPerSecond;
    private final long fileNanos;
    private final Map<String, Long> newestStep = new HashMap<>();
    private long ioFreeAt;

    SimulatedStorage(Simulation sim, ShardGraph graph, WorkModel work, long bytesPerSecond, long fileNanos) {
        this.sim = sim;
        this.work = work;
        this.bytesPerSecond = bytesPerSecond;
        this.fileNanos = fileNanos;
        for (ShardSpec s : graph.shards()) {
            if (work.stateBytes(s) > 0) {
                byId.put(s.id(), s);
            }
        }
    }

    private long bytesOf(String shardId) {
        ShardSpec spec = byId.get(shardId);
        return spec == null ? 0 : work.stateBytes(spec);
    }

    /** When an IO of one file of {@code bytes} submitted now ends; no file (a load finding none) costs nothing. */
    private long io(boolean file, long bytes) {
        long start = Math.max(sim.now(), ioFreeAt);
        ioFreeAt = start + (file ? fileNanos + (long) Math.ceil(bytes * 1e9 / bytesPerSecond) : 0);
        return ioFreeAt;
    }

    void save(Command.SaveCheckpoint s) {
        long bytes = bytesOf(s.shardId());
        long step = s.state().step();
        long done = io(true, bytes);
        sim.at(done, () -> {
            newestStep.merge(s.shardId(), step, Math::max);
            sim.deliver(new Event.CheckpointDurable(s.taskId(), s.attempt(), step, new Event.SaveOutcome.Written(bytes)));
        });
    }

    void load(Command.LoadCheckpoint l) {
        boolean present = newestStep.containsKey(l.shardId());
        long done = io(present, present ? bytesOf(l.shardId()) : 0);
        sim.at(done, () -> {
            Long step = newestStep.get(l.shardId()); // read when the load runs, as the IO thread does
            sim.deliver(new Event.CheckpointLoaded(l.taskId(), l.attempt(),
                    step == null ? Optional.empty() : Optional.of(new SavedState(step, SimulatedRanks.NO_STATE))));
        });
    }

    void discard(Command.DiscardCheckpoints d) {
        for (String id : d.shardIds()) {
            newestStep.remove(id);
        }
    }
}
