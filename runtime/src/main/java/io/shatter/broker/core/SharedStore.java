package io.shatter.broker.core;

import io.shatter.SharedState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The run's shared key-value store ({@link SharedState}), held by the broker: versioned,
 * compare-and-set, and transactional per attempt. An attempt's reads and compare-and-sets go to its
 * own transaction: it sees its own writes, nobody else does, until it commits. At its commit the
 * versions it read are validated (optimistic concurrency); if none changed its writes are applied
 * atomically with its result and journaled in the same record, otherwise the result is discarded
 * and the shard runs again. An attempt that never commits (lost, preempted, failed, beaten by its
 * shadow) leaves no trace, so every committed shard's writes count exactly once. A resumable
 * shard's transaction travels with its checkpoints (in memory): an attempt resumed from one goes
 * on with what the attempt that saved it had read and written up to it.
 */
final class SharedStore {
    private static final Optional<List<JournalRecord.SharedWrite>> NO_WRITES = Optional.of(List.of());
    /** What a key never set reads as. */
    private static final SharedState.Entry UNSET = new SharedState.Entry(0, new byte[0]);

    private final Map<String, SharedState.Entry> entries = new HashMap<>();
    /** Open transactions of live attempts, by {@link #key}. */
    private final Map<Long, Transaction> open = new HashMap<>();
    /**
     * A resumable shard's open transaction as it stood at each of its checkpoints, by shard index
     * and step: an attempt resumed from that checkpoint carries it on, so what the shard read and
     * wrote before the checkpoint commits with its result. Kept in memory only.
     */
    private final Map<Integer, Map<Long, Transaction>> atCheckpoint = new HashMap<>();

    /** One attempt's view: the versions it read first, and what it wrote (with the version it sees for it). */
    private static final class Transaction {
        final Map<String, Long> readVersions = new HashMap<>();
        final Map<String, SharedState.Entry> writes = new LinkedHashMap<>();

        Transaction copy() {
            Transaction c = new Transaction();
            c.readVersions.putAll(readVersions);
            c.writes.putAll(writes);
            return c;
        }

        boolean isEmpty() {
            return readVersions.isEmpty() && writes.isEmpty();
        }
    }

    private static long key(int taskId, int attempt) {
        return ((long) taskId << 32) | (attempt & 0xFFFFFFFFL);
    }

    /** The entry as the attempt sees it, noting the committed version it read if it has not written the key. */
    private SharedState.Entry view(Transaction txn, String key) {
        SharedState.Entry written = txn.writes.get(key);
        if (written != null) {
            return written;
        }
        SharedState.Entry committed = entries.getOrDefault(key, UNSET);
        txn.readVersions.putIfAbsent(key, committed.version());
        return committed;
    }

    /** {@code live}: whether the asking attempt is one the broker still runs. */
    Command.SharedReply get(Event.SharedGet e, boolean live) {
        SharedState.Entry entry = live ? view(open.computeIfAbsent(key(e.taskId(), e.attempt()), k -> new Transaction()), e.key())
                : entries.getOrDefault(e.key(), UNSET);
        return new Command.SharedReply(e.rank(), e.requestId(), false, entry.version(), entry.value());
    }

    /**
     * Applies the write to the attempt's transaction if the version it sees is still the expected
     * one. An attempt the broker no longer runs is told its write applied (so that an update loop
     * ends) and the write is dropped: that attempt's result will be ignored anyway.
     */
    Command.SharedReply compareAndSet(Event.SharedCompareAndSet e, boolean live) {
        if (!live) {
            return new Command.SharedReply(e.rank(), e.requestId(), true, e.expectedVersion() + 1, e.value());
        }
        Transaction txn = open.computeIfAbsent(key(e.taskId(), e.attempt()), k -> new Transaction());
        SharedState.Entry entry = view(txn, e.key());
        boolean applied = entry.version() == e.expectedVersion();
        if (applied) {
            entry = new SharedState.Entry(e.expectedVersion() + 1, e.value());
            txn.writes.put(e.key(), entry);
        }
        return new Command.SharedReply(e.rank(), e.requestId(), applied, entry.version(), entry.value());
    }

    /**
     * Commits the attempt's transaction: its writes, to be journaled with its result, once applied;
     * empty if a version it read has changed since (the attempt must run again; nothing applied).
     */
    Optional<List<JournalRecord.SharedWrite>> commit(int taskId, int attempt) {
        Transaction txn = open.isEmpty() ? null : open.remove(key(taskId, attempt)); // most runs never touch shared state
        if (txn == null) {
            return NO_WRITES;
        }
        for (Map.Entry<String, Long> read : txn.readVersions.entrySet()) {
            if (entries.getOrDefault(read.getKey(), UNSET).version() != read.getValue()) {
                return Optional.empty();
            }
        }
        List<JournalRecord.SharedWrite> writes = new ArrayList<>(txn.writes.size());
        txn.writes.forEach((key, entry) -> writes.add(new JournalRecord.SharedWrite(key, entry.value())));
        apply(writes);
        return Optional.of(writes);
    }

    /** The attempt saved its state at {@code step}: its transaction so far goes with that checkpoint. */
    void checkpointTaken(int taskId, int attempt, int shard, long step) {
        Transaction txn = open.get(key(taskId, attempt));
        Map<Long, Transaction> byStep = atCheckpoint.get(shard);
        if (txn != null && !txn.isEmpty()) {
            atCheckpoint.computeIfAbsent(shard, k -> new HashMap<>()).put(step, txn.copy());
        } else if (byStep != null) {
            byStep.remove(step); // an older attempt's snapshot at this step is not what this checkpoint holds
        }
    }

    /** A new attempt resumes shard {@code shard} from its checkpoint at {@code step}: it carries on that checkpoint's transaction. */
    void resumed(int taskId, int attempt, int shard, long step) {
        Map<Long, Transaction> byStep = atCheckpoint.get(shard);
        Transaction saved = byStep == null ? null : byStep.get(step);
        if (saved != null) {
            open.put(key(taskId, attempt), saved.copy());
        }
    }

    /** The shard committed: its checkpoints' transactions are no longer needed. */
    void shardCommitted(int shard) {
        if (!atCheckpoint.isEmpty()) {
            atCheckpoint.remove(shard);
        }
    }

    /** Forgets an attempt that ended without committing. */
    void discard(int taskId, int attempt) {
        if (!open.isEmpty()) {
            open.remove(key(taskId, attempt));
        }
    }

    /** Applies committed writes, live or replayed from the journal: one version per key and commit. */
    void apply(List<JournalRecord.SharedWrite> writes) {
        for (JournalRecord.SharedWrite w : writes) {
            long version = entries.getOrDefault(w.key(), UNSET).version();
            entries.put(w.key(), new SharedState.Entry(version + 1, w.value()));
        }
    }

    /** Transactions open now (for tests: none may outlive its attempt). */
    int openTransactions() {
        return open.size();
    }
}
