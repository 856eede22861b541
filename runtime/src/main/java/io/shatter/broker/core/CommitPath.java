package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.RunDirectoryException;
import io.shatter.ShardFailedException;
import io.shatter.graph.ShardKind;
import io.shatter.graph.ShardSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Commits, the one path for live results and replayed journal records alike: a shard's output is
 * committed once, its dependents become ready, inputs nobody needs any more are released. Range
 * shards are carved into chunks here (adaptive granularity), and reduced, in block order, by the
 * shell once every block is done.
 */
final class CommitPath {
    /** Upper bound on a range chunk's expected run on excess capacity: a revocation loses at most this much. */
    private static final long EXCESS_CHUNK_TARGET_NANOS = 50_000_000;
    /** Odds the forecaster must give an excess slot of outliving a range chunk; a chunk is halved until it has them. */
    private static final double EXCESS_CHUNK_SURVIVAL = 0.9;
    /** Shortest chunk the forecaster can ask for: below about a millisecond, round trips cost more than revocations. */
    private static final long MIN_CHUNK_NANOS = 1_000_000;
    private static final int[] NO_INPUTS = new int[0];

    private final BrokerCore core;
    private final List<ShardSpec> specs;
    private final RangeProgress[] ranges;
    private final int[] pendingDependencies;
    private final int[] consumersLeft;
    private final byte[][] outputs;
    private final BitSet committed;
    /** Shards that read inputs: a commit looks at its spec only for these (at 10,000 ranks a spec is a cache miss). */
    private final BitSet readsInputs;
    private int shardsCompleted;
    private int recordsReplayed;
    private boolean finished;

    CommitPath(BrokerCore core) {
        this.core = core;
        this.specs = core.specs;
        int n = specs.size();
        ranges = new RangeProgress[n];
        pendingDependencies = new int[n];
        consumersLeft = new int[n];
        outputs = new byte[n][];
        committed = new BitSet(n);
        readsInputs = new BitSet(n);
        for (ShardSpec s : specs) {
            pendingDependencies[s.index()] = s.dependencies().length;
            readsInputs.set(s.index(), s.inputs().length > 0);
            for (int in : s.inputs()) {
                consumersLeft[in]++;
            }
        }
    }

    boolean isCommitted(int shard) {
        return committed.get(shard);
    }

    byte[] output(int shard) {
        return outputs[shard];
    }

    int shardsCompleted() {
        return shardsCompleted;
    }

    boolean allCommitted() {
        return shardsCompleted == specs.size();
    }

    boolean resumingEarlierRun() {
        return recordsReplayed > 0;
    }

    /** Shards and range chunks the journal restored. */
    long resumedFromJournal() {
        return resumedShards + resumedChunks;
    }

    private long resumedShards;
    private long resumedChunks;

    // ---------------------------------------------------------------- journal replay

    void replay(JournalRecord record) {
        recordsReplayed++;
        if (record instanceof JournalRecord.ShardCommitted c) {
            ShardSpec spec = journaledShard(c.shard());
            core.shared.apply(c.sharedWrites()); // in journal order, as they were applied live
            if (committed.get(c.shard())) {
                throw inconsistent("commits shard '" + spec.id() + "' twice");
            }
            if (ranges[c.shard()] != null) {
                resumedChunks -= ranges[c.shard()].restoredChunks; // its committed chunks are part of the shard's output now
            }
            ranges[c.shard()] = null;
            commitShard(c.shard(), c.output(), null, List.of());
            resumedShards++;
        } else if (record instanceof JournalRecord.ChunkCommitted c) {
            ShardSpec spec = journaledShard(c.shard());
            core.shared.apply(c.sharedWrites());
            if (spec.kind() != ShardKind.RANGE || c.blockFrom() < 0 || c.blockFrom() >= c.blockTo() || c.blockTo() > spec.blockCount()) {
                throw inconsistent("has blocks [" + c.blockFrom() + ", " + c.blockTo() + ") of shard '" + spec.id() + "', which has "
                        + (spec.kind() == ShardKind.RANGE ? spec.blockCount() + " blocks" : "none"));
            }
            if (committed.get(c.shard())) {
                return;
            }
            if (ranges[c.shard()] == null) {
                ranges[c.shard()] = new RangeProgress(spec.blockCount());
            }
            if (ranges[c.shard()].record(c.blockFrom(), c.blockTo(), c.output())) {
                ranges[c.shard()].restoredChunks++;
                resumedChunks++;
            }
        }
        // Checkpoint and run-finished records tell the replay nothing it needs.
    }

    private ShardSpec journaledShard(int shard) {
        if (shard < 0 || shard >= specs.size()) {
            throw inconsistent("names shard #" + shard + " but the graph has " + specs.size());
        }
        return specs.get(shard);
    }

    private RunDirectoryException inconsistent(String what) {
        return new RunDirectoryException("the run directory's journal " + what
                + ", although its graph fingerprint matches; move the run directory away and run again");
    }

    // ---------------------------------------------------------------- readiness

    void makeInitialShardsReady() {
        // Collected first: making a fully restored range shard ready commits it, which readies its dependents itself.
        List<Integer> initiallyReady = new ArrayList<>();
        for (ShardSpec s : specs) {
            if (pendingDependencies[s.index()] == 0 && !committed.get(s.index())) {
                initiallyReady.add(s.index());
            }
        }
        for (int index : initiallyReady) {
            makeReady(index);
        }
        if (allCommitted()) {
            finish();
        }
    }

    private void makeReady(int shardIndex) {
        ShardSpec spec = specs.get(shardIndex);
        Task task;
        if (spec.kind() == ShardKind.RANGE) {
            if (ranges[shardIndex] == null) {
                ranges[shardIndex] = new RangeProgress(spec.blockCount());
            }
            RangeProgress range = ranges[shardIndex];
            range.skipDoneBlocks();
            if (range.done == spec.blockCount()) {
                reduce(spec, range); // every block came back from the journal
                return;
            }
            task = core.newGenerator(spec);
        } else {
            task = core.newTask(spec, 0, 1);
            core.taskOfShard[shardIndex] = task;
        }
        core.ready[spec.priority().ordinal()].addLast(task);
    }

    boolean hasBlocksToCarve(Task generator) {
        return ranges[generator.spec.index()].next < generator.spec.blockCount();
    }

    /**
     * Adaptive granularity: guided self-scheduling (a share of what remains per active core, so
     * chunks shrink towards the end), halved on excess capacity and again once revocations were
     * seen, capped on excess capacity so that a revocation loses little; then the forecaster says
     * how finely to split on an excess slot: halved until the slot is likely to outlive the chunk.
     */
    Task carveChunk(Task generator, RankSlot slot) {
        RangeProgress range = ranges[generator.spec.index()];
        int remaining = generator.spec.blockCount() - range.next;
        double factor = 2;
        if (slot.capacityClass == CapacityClass.EXCESS) {
            factor *= 2;
        }
        if (core.counters.revocations > 0 || core.counters.lostAttempts > 0) {
            factor *= 2;
        }
        long size = (long) Math.ceil(remaining / (factor * Math.max(1, core.index.activeNonSpareCores())));
        if (slot.capacityClass == CapacityClass.EXCESS && range.blockNanos > 0) {
            size = Math.min(size, Math.max(1, EXCESS_CHUNK_TARGET_NANOS / range.blockNanos));
            long smallest = Math.max(1, MIN_CHUNK_NANOS / range.blockNanos);
            double coresToKeep = core.view().excessCoresToKeep(slot);
            while (size > smallest && core.forecaster.survivalProbability(Duration.ofNanos(size * range.blockNanos), coresToKeep)
                    < EXCESS_CHUNK_SURVIVAL) {
                size = Math.max(smallest, size / 2);
            }
        }
        int blocks = (int) Math.max(1, Math.min(size, remaining));
        int end = range.next;
        while (end < range.next + blocks && !range.doneBlocks.get(end)) {
            end++; // stop before the next block the journal restored
        }
        Task chunk = core.newTask(generator.spec, range.next, end);
        range.next = end;
        range.skipDoneBlocks();
        return chunk;
    }

    // ---------------------------------------------------------------- commits

    void commitChunk(Task chunk, byte[] output, long runNanos, List<JournalRecord.SharedWrite> sharedWrites) {
        RangeProgress range = ranges[chunk.spec.index()];
        range.record(chunk.blockFrom, chunk.blockTo, output);
        int blocks = chunk.blockTo - chunk.blockFrom;
        // The last chunk is journaled as the shard's commit, unless it wrote shared state: its writes are journaled now, with it.
        if (range.done < chunk.spec.blockCount() || !sharedWrites.isEmpty()) {
            core.emit(new Command.AppendJournal(new JournalRecord.ChunkCommitted(chunk.spec.index(), chunk.blockFrom,
                    chunk.blockTo, output, sharedWrites)));
        }
        long perBlock = runNanos / Math.max(1, blocks);
        range.blockNanos = range.blockNanos == 0 ? perBlock : (range.blockNanos * 3 + perBlock) / 4;
        if (range.done == chunk.spec.blockCount()) {
            reduce(chunk.spec, range);
        }
    }

    /** Asks the shell to fold the chunks in block order, so the result equals a sequential fold whatever the split. */
    private void reduce(ShardSpec spec, RangeProgress range) {
        if (range.reducing) {
            return;
        }
        range.reducing = true;
        List<byte[]> chunks = new ArrayList<>();
        for (int b = 0; b < range.blocks; b = range.chunkEndAt[b]) {
            chunks.add(range.chunkOutputAt[b]);
        }
        core.emit(new Command.Reduce(spec.index(), chunks));
    }

    void onReduced(Event.RangeReduced e) {
        RangeProgress range = e.shard() >= 0 && e.shard() < ranges.length ? ranges[e.shard()] : null;
        if (range == null || !range.reducing || committed.get(e.shard())) {
            return;
        }
        ShardSpec spec = specs.get(e.shard());
        if (e.outcome() instanceof Event.ReduceOutcome.Failed f) {
            core.fail(new ShardFailedException(spec.id(), f.description(), 1));
            return;
        }
        ranges[e.shard()] = null;
        commitShard(e.shard(), ((Event.ReduceOutcome.Reduced) e.outcome()).output(), null, List.of());
    }

    /**
     * Commits shard {@code index}; {@code producer} is the rank that computed it (it holds the output
     * now), null for a reduction or a replayed record. A replayed commit is not journaled again, and
     * readies nothing: {@link #makeInitialShardsReady} does that once the journal is read.
     * {@code sharedWrites}, already applied, are journaled in the same record, so they count exactly
     * when the commit does.
     */
    void commitShard(int index, byte[] output, RankSlot producer, List<JournalRecord.SharedWrite> sharedWrites) {
        if (committed.get(index)) {
            throw new IllegalStateException("shard " + specs.get(index).id() + " committed twice");
        }
        boolean replaying = !core.started;
        committed.set(index);
        core.shared.shardCommitted(index);
        outputs[index] = output;
        shardsCompleted++;
        if (replaying) {
            ShardSpec spec = specs.get(index);
            if (spec.kind() == ShardKind.RESUMABLE) {
                core.emit(new Command.DiscardCheckpoints(List.of(spec.id()))); // left behind if the broker died between commit and discard
            }
        } else {
            core.emit(new Command.AppendJournal(new JournalRecord.ShardCommitted(index, output, sharedWrites)));
        }
        if (producer != null && core.graph.dependentsOf(index).length > 0) {
            core.markHolder(index, producer); // the worker keeps an output that a dependent will read, and only then
        }
        for (int dependent : core.graph.dependentsOf(index)) {
            if (--pendingDependencies[dependent] == 0 && !replaying) {
                makeReady(dependent);
            }
        }
        for (int in : readsInputs.get(index) ? specs.get(index).inputs() : NO_INPUTS) {
            if (--consumersLeft[in] == 0) {
                if (!replaying) {
                    releaseCachedCopies(in);
                }
                if (!core.settings.retainIntermediateOutputs()) {
                    outputs[in] = null; // every consumer has committed: nothing will read it again
                }
            }
        }
        if (!replaying && allCommitted()) {
            finish();
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            core.counters.finishedAt(core.now);
            core.emit(new Command.AppendJournal(new JournalRecord.RunFinished(shardsCompleted)));
        }
    }

    private void releaseCachedCopies(int shardIndex) {
        BitSet holding = core.holders[shardIndex];
        if (holding == null) {
            return;
        }
        for (int r = holding.nextSetBit(0); r >= 0; r = holding.nextSetBit(r + 1)) {
            RankSlot slot = core.slots[r];
            if (slot.status() == RankSlot.Status.ACTIVE) {
                core.emit(new Command.Release(r, shardIndex));
            }
            slot.cachedOutputs.remove(Integer.valueOf(shardIndex));
        }
        core.holders[shardIndex] = null;
    }
}
