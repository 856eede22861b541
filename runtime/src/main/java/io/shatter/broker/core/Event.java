package io.shatter.broker.core;

import io.shatter.spi.CapacitySample;

import java.util.List;
import java.util.Optional;

/**
 * What the broker core hears: from workers (decoded by the shell from their frames), from the
 * shell's effects (a checkpoint made durable or loaded, a reduction done, a journal write that
 * failed) and from event sources (capacity samples, revocations asked for). The time of each event
 * is passed beside it to {@link BrokerCore#handle}.
 */
public sealed interface Event {

    /** A worker rank joined and built a graph with this fingerprint. */
    record WorkerHello(int rank, int cores, List<String> capabilities, String graphFingerprint) implements Event {
    }

    /** An attempt finished with its output (for a range chunk, the encoded partial results of its blocks). */
    record AttemptDone(int rank, int taskId, int attempt, long runNanos, byte[] output) implements Event {
    }

    /** An attempt threw. */
    record AttemptFailed(int rank, int taskId, int attempt, long runNanos, String description) implements Event {
    }

    /** A running attempt sent its state at a safepoint, to be saved as a checkpoint. */
    record CheckpointTaken(int rank, int taskId, int attempt, SavedState state) implements Event {
    }

    /**
     * An attempt gave its slot back (asked to, or its rank is leaving): with its state at a safepoint,
     * or without one (a plain shard or range chunk, or an attempt that had not started).
     */
    record AttemptYielded(int rank, int taskId, int attempt, Optional<SavedState> state, long runNanos) implements Event {
    }

    /** A worker is about to leave (its batch system told it to): assign it nothing more. */
    record WorkerLeaving(int rank) implements Event {
    }

    /** A worker left after yielding its attempts. */
    record WorkerLeft(int rank) implements Event {
    }

    /** The transport lost a rank (killed, network gone, or it sent a malformed frame). */
    record PeerLost(int rank, String reason) implements Event {
    }

    /** A shard's shared-state read, by attempt {@code attempt} of task {@code taskId}. */
    record SharedGet(int rank, int taskId, int attempt, long requestId, String key) implements Event {
    }

    /** A shard's shared-state compare-and-set, by attempt {@code attempt} of task {@code taskId}. */
    record SharedCompareAndSet(int rank, int taskId, int attempt, long requestId, String key, long expectedVersion, byte[] value)
            implements Event {
    }

    /** A {@link Command.SaveCheckpoint} ended. */
    record CheckpointDurable(int taskId, int attempt, long step, SaveOutcome outcome) implements Event {
    }

    /** A {@link Command.LoadCheckpoint} ended: the newest saved state, if any. */
    record CheckpointLoaded(int taskId, int attempt, Optional<SavedState> state) implements Event {
    }

    /** A {@link Command.Reduce} ended. */
    record RangeReduced(int shard, ReduceOutcome outcome) implements Event {
    }

    /** The excess partition's capacity, as the Slurm monitor, a trace replay or a capacity feed saw it. */
    record CapacityObserved(CapacitySample sample) implements Event {
    }

    /** Revoke an excess rank (fault injection, or its capacity went away): its attempts get the grace to save. */
    record RevokeRequested(int rank, long graceNanos) implements Event {
    }

    /** Give a revoked rank back; it rejoins with a hello. */
    record RestoreRequested(int rank) implements Event {
    }

    /** The journal cannot be written: the run must stop, keeping what it recorded. */
    record JournalFailed(String message) implements Event {
    }

    /** Time passed: timers due by now fire. */
    record TimerDue() implements Event {
    }

    /** How a checkpoint save ended. */
    sealed interface SaveOutcome {
        /** The state is durable. */
        record Written(long bytes) implements SaveOutcome {
        }

        /** The write failed; the previous checkpoint stays. */
        record Failed(String message) implements SaveOutcome {
        }
    }

    /** How a range shard's reduction ended. */
    sealed interface ReduceOutcome {
        /** The reduced output. */
        record Reduced(byte[] output) implements ReduceOutcome {
        }

        /** The reducer or a partial result's decoding failed. */
        record Failed(String description) implements ReduceOutcome {
        }
    }
}
