package io.shatter.broker.core;

import java.util.List;
import java.util.Optional;

/**
 * What the broker core decides, for the shell to carry out: messages to ranks, checkpoint and
 * journal IO, a range reduction (user code, which the core never runs), excess workers to request,
 * warnings to log. Each is a plain record: nothing here is encoded for the wire yet.
 */
public sealed interface Command {

    /** Commands addressed to one worker rank. */
    sealed interface ToRank extends Command {
        int rank();
    }

    /**
     * Run these attempts, in order: independent ready shards bound for the same rank leave together
     * ({@link AssignmentBatcher}), sized so that one message carries about a millisecond of work
     * ({@link BatchSizing#shardsPerMessage}). Each is an attempt of its own: fenced, revocable,
     * preemptible and committed once, exactly as when it travels alone.
     */
    record AssignBatch(int rank, List<Assign> assignments) implements ToRank {
    }

    /**
     * One attempt of an {@link AssignBatch}: a shard, or blocks {@code [blockFrom, blockTo)} of a
     * range shard. Not a command of its own: assignments always leave in a batch (often of one).
     */
    record Assign(int rank, int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                  Optional<SavedState> resumeFrom, List<Input> inputs) {
    }

    /** An input of an assignment: sent along, or already held by the rank from an earlier assignment. */
    sealed interface Input {
        int shard();

        record Held(int shard) implements Input {
        }

        record Sent(int shard, byte[] bytes) implements Input {
        }
    }

    /** Yield at the next safepoint (with state, if resumable). */
    record Preempt(int rank, int taskId, int attempt) implements ToRank {
    }

    /** Stop this attempt; its result is not wanted. */
    record Cancel(int rank, int taskId, int attempt) implements ToRank {
    }

    /** The rank's capacity goes: yield everything within the grace, then leave. */
    record Revoke(int rank, long graceNanos) implements ToRank {
    }

    /** The rank may come back: it rejoins with a hello. */
    record Restore(int rank) implements ToRank {
    }

    /** Forget a cached input: every consumer has committed. */
    record Release(int rank, int shard) implements ToRank {
    }

    /** The run is over for this rank. */
    record Shutdown(int rank) implements ToRank {
    }

    /**
     * A joining worker that must not take part (it built another graph): told to stop, then its
     * link is cut where the transport can, so it holds no join slot.
     */
    record SendAway(int rank, String reason) implements ToRank {
    }

    /** The answer to a shared-state request. */
    record SharedReply(int rank, long requestId, boolean applied, long version, byte[] value) implements ToRank {
    }

    /** Save a state as shard {@code shardId}'s checkpoint; answer with {@link Event.CheckpointDurable}. */
    record SaveCheckpoint(int taskId, int attempt, String shardId, SavedState state) implements Command {
    }

    /** Load shard {@code shardId}'s newest checkpoint, off the loop; answer with {@link Event.CheckpointLoaded}. */
    record LoadCheckpoint(int taskId, int attempt, String shardId) implements Command {
    }

    /** Remove the checkpoints of these shards (a committed shard, or a fresh run's leftovers). */
    record DiscardCheckpoints(List<String> shardIds) implements Command {
    }

    /** Append a record to the run's journal. */
    record AppendJournal(JournalRecord record) implements Command {
    }

    /**
     * Fold a range shard's chunk outputs, in block order, with its reducer; answer with
     * {@link Event.RangeReduced}.
     */
    record Reduce(int shard, List<byte[]> chunkOutputs) implements Command {
    }

    /** Keep this many excess workers (batch jobs on the excess partition) requested. */
    record RequestExcessWorkers(int workers) implements Command {
    }

    /** Something the user should read. */
    record Warn(String message) implements Command {
    }
}
