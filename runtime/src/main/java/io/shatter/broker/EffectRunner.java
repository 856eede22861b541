package io.shatter.broker;

import io.shatter.ShardGraph;
import io.shatter.broker.core.Command;
import io.shatter.broker.core.Event;
import io.shatter.broker.core.SavedState;
import io.shatter.broker.journal.Journal;
import io.shatter.checkpoint.CheckpointStore;
import io.shatter.protocol.Messages;
import io.shatter.protocol.PackedAssignments;
import io.shatter.protocol.WireWriter;
import io.shatter.spi.ExcessWorkerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Carries out the core's commands: messages into one buffer per rank (sent once per loop batch),
 * checkpoint saves, loads and discards on the IO executor (in submission order), journal appends,
 * range reductions (user code: never in the core), excess-worker requests and warnings. What an
 * effect brings back goes to {@code completions} as an event for the core.
 */
final class EffectRunner implements Consumer<Command> {
    private static final Logger LOG = LoggerFactory.getLogger(EffectRunner.class);

    /** What a fresh attempt carries as its state (shared: the wire only reads it). */
    private static final byte[] NO_STATE = new byte[0];

    private final ShardGraph graph;
    private final String graphId;
    private final CheckpointStore checkpoints;
    private final Executor checkpointIo;
    private final Consumer<Event> completions;
    private final ExcessWorkerPool excessWorkers;
    private final WireWriter[] outgoing;
    private final List<Integer> dirty = new ArrayList<>();
    private final java.util.Map<Integer, String> sendAway = new java.util.LinkedHashMap<>();
    private Journal journal;

    EffectRunner(ShardGraph graph, CheckpointStore checkpoints, Executor checkpointIo, Consumer<Event> completions,
                 ExcessWorkerPool excessWorkers, int ranks) {
        this.graph = graph;
        this.graphId = graph.name() + "-" + graph.fingerprint();
        this.checkpoints = checkpoints;
        this.checkpointIo = checkpointIo;
        this.completions = completions;
        this.excessWorkers = excessWorkers;
        this.outgoing = new WireWriter[ranks];
    }

    void useJournal(Journal journal) {
        this.journal = journal;
    }

    Journal journal() {
        return journal;
    }

    @Override
    public void accept(Command command) {
        if (command instanceof Command.ToRank message) {
            write(message);
        } else if (command instanceof Command.AppendJournal a) {
            if (journal != null) {
                journal.append(a.record());
            }
        } else if (command instanceof Command.SaveCheckpoint s) {
            checkpointIo.execute(() -> completions.accept(save(s)));
        } else if (command instanceof Command.LoadCheckpoint l) {
            checkpointIo.execute(() -> completions.accept(new Event.CheckpointLoaded(l.taskId(), l.attempt(), load(l.shardId()))));
        } else if (command instanceof Command.DiscardCheckpoints d) {
            checkpointIo.execute(() -> discard(d.shardIds()));
        } else if (command instanceof Command.Reduce r) {
            completions.accept(new Event.RangeReduced(r.shard(), RangeReduction.reduce(graph.shards().get(r.shard()), r.chunkOutputs())));
        } else if (command instanceof Command.RequestExcessWorkers w) {
            if (excessWorkers != null) {
                excessWorkers.request(w.workers());
            }
        } else if (command instanceof Command.Warn w) {
            LOG.warn(w.message());
        }
    }

    private void write(Command.ToRank message) {
        WireWriter out = outbox(message.rank());
        if (message instanceof Command.AssignBatch batch) {
            PackedAssignments packed = new PackedAssignments(out, batch.assignments().size());
            for (Command.Assign a : batch.assignments()) {
                List<Messages.Input> inputs = a.inputs().isEmpty() ? List.of() : new ArrayList<>(a.inputs().size());
                for (Command.Input in : a.inputs()) {
                    inputs.add(new Messages.Input(in.shard(), in instanceof Command.Input.Sent s ? s.bytes() : null));
                }
                long resumeStep = a.resumeFrom().isPresent() ? a.resumeFrom().get().step() : Messages.NO_STEP;
                byte[] state = a.resumeFrom().isPresent() ? a.resumeFrom().get().state() : NO_STATE;
                packed.add(a.taskId(), a.attempt(), a.shardIndex(), a.blockFrom(), a.blockTo(), a.checkpointEveryNanos(),
                        resumeStep, state, inputs);
            }
        } else if (message instanceof Command.Preempt p) {
            Messages.preempt(out, p.taskId(), p.attempt());
        } else if (message instanceof Command.Cancel c) {
            Messages.cancel(out, c.taskId(), c.attempt());
        } else if (message instanceof Command.Revoke r) {
            Messages.revoke(out, r.graceNanos());
        } else if (message instanceof Command.Restore) {
            Messages.restore(out);
        } else if (message instanceof Command.Release r) {
            Messages.release(out, new int[] {r.shard()}, 1);
        } else if (message instanceof Command.Shutdown) {
            Messages.shutdown(out);
        } else if (message instanceof Command.SendAway s) {
            Messages.shutdown(out);
            sendAway.put(s.rank(), s.reason());
        } else if (message instanceof Command.SharedReply r) {
            Messages.sharedReply(out, r.requestId(), r.applied(), r.version(), r.value());
        }
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

    /** Each rank's messages of this batch, as one frame per rank. */
    void sendBatch(io.shatter.transport.Transport transport) {
        for (int rank : dirty) {
            WireWriter w = outgoing[rank];
            if (!w.isEmpty()) {
                transport.send(rank, w.toFrame());
                w.reset();
            }
        }
        dirty.clear();
        // After the stop message went out on the same link: it is read before the close.
        sendAway.forEach((rank, reason) -> transport.disconnect(rank, "sent away: " + reason));
        sendAway.clear();
    }

    /** Removes every checkpoint of this graph's resumable shards, on the caller's thread (a finished run). */
    void discardAllCheckpoints() {
        List<String> resumable = new ArrayList<>();
        for (var spec : graph.shards()) {
            if (spec.kind() == io.shatter.graph.ShardKind.RESUMABLE) {
                resumable.add(spec.id());
            }
        }
        if (!resumable.isEmpty()) {
            discard(resumable);
        }
    }

    private Event.CheckpointDurable save(Command.SaveCheckpoint s) {
        try {
            checkpoints.save(graphId, s.shardId(), s.attempt(), s.state().step(), s.state().state());
            return new Event.CheckpointDurable(s.taskId(), s.attempt(), s.state().step(),
                    new Event.SaveOutcome.Written(s.state().state().length));
        } catch (IOException | RuntimeException e) {
            return new Event.CheckpointDurable(s.taskId(), s.attempt(), s.state().step(), new Event.SaveOutcome.Failed(e.getMessage()));
        }
    }

    private Optional<SavedState> load(String shardId) {
        try {
            return checkpoints.latest(graphId, shardId).map(c -> new SavedState(c.step(), c.state()));
        } catch (IOException | RuntimeException e) {
            // A store must not throw for a bad file (HDF5's moves it aside), but nothing read from disk may stop the run.
            LOG.warn("cannot read the checkpoint of {}: {}; it starts from scratch", shardId, e);
            return Optional.empty();
        }
    }

    private void discard(List<String> shardIds) {
        try {
            if (shardIds.size() == 1) {
                checkpoints.discard(graphId, shardIds.get(0));
            } else {
                checkpoints.discardAll(graphId, shardIds);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the checkpoints of {}: {}", shardIds.size() == 1 ? shardIds.get(0) : graph.name(), e.getMessage());
        }
    }

}
