package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.broker.policy.AttemptView;
import io.shatter.broker.policy.RankView;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The core's record of one worker rank: its class, cores, status and the attempts it holds. Its
 * hot state (cores, held cores, attempts, commits, whether active) is in the {@link RankColumns},
 * read and changed through the methods here. Every change that could change whether it has room
 * goes through a method here, which tells the {@link CapacityIndex}.
 */
final class RankSlot implements RankView {
    /**
     * Where a rank is in its life: joining (hello not yet seen), active, being revoked, gone; or, for
     * a join slot, vacant (no worker holds it now; the next one to join takes it).
     */
    enum Status { JOINING, ACTIVE, REVOKING, GONE, VACANT }

    final int rank;
    final CapacityClass capacityClass;
    /** Whether workers outside the MPI world take this rank by joining (it is never waited for). */
    final boolean joinSlot;
    private final CapacityIndex index;
    private final RankColumns columns;
    private final TaskTable tasks;
    private Set<String> capabilities = Set.of();
    private Status status;
    long activeSince;
    /** Revocations so far: a grace timer of an earlier one finds another number and does nothing. */
    int revocationEpoch;
    /** Shards whose outputs this rank caches; forgotten when it leaves. */
    final List<Integer> cachedOutputs = new ArrayList<>();

    RankSlot(int rank, CapacityClass capacityClass, boolean joinSlot, CapacityIndex index, RankColumns columns, TaskTable tasks) {
        this.rank = rank;
        this.capacityClass = capacityClass;
        this.joinSlot = joinSlot;
        this.index = index;
        this.columns = columns;
        this.tasks = tasks;
        this.status = joinSlot ? Status.VACANT : Status.JOINING;
        columns.setCapacityClass(rank, capacityClass);
    }

    Status status() {
        return status;
    }

    void setStatus(Status next) {
        boolean wasActive = isActive();
        status = next;
        columns.setActive(rank, next == Status.ACTIVE);
        index.changed(rank, wasActive);
    }

    /** A worker said hello with these cores and capabilities. */
    void joined(int cores, Set<String> capabilities, long now) {
        columns.setCores(rank, cores);
        this.capabilities = capabilities;
        this.activeSince = now;
        setStatus(Status.ACTIVE);
    }

    /**
     * Takes live task {@code taskId}'s attempt (placed on this rank already). An attempt leaves its
     * rank in {@code AttemptOutcomes.endAttempt}, through the rank records and the index directly.
     */
    void add(int taskId) {
        columns.addAttempt(rank, taskId);
        index.heldChanged(rank);
    }

    /** Shards whose commit came from this rank. */
    long committed() {
        return columns.committed(rank);
    }

    /** The attempts it holds now, a copy (safe to end them while going through it). */
    List<Task> attemptsHeld() {
        int n = columns.attemptCount(rank);
        List<Task> held = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            held.add(tasks.get(columns.attemptId(rank, i)));
        }
        return held;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public CapacityClass capacityClass() {
        return capacityClass;
    }

    @Override
    public boolean isActive() {
        return columns.isActive(rank);
    }

    @Override
    public int cores() {
        return columns.cores(rank);
    }

    @Override
    public int freeUnits() {
        return columns.cores(rank) * index.pipelineDepth() - columns.heldCores(rank);
    }

    @Override
    public int freeCores() {
        return Math.max(0, columns.cores(rank) - columns.heldCores(rank));
    }

    @Override
    public int pipelineDepth() {
        return index.pipelineDepth();
    }

    @Override
    public double load() {
        int cores = columns.cores(rank);
        return cores == 0 ? Double.MAX_VALUE : (double) columns.heldCores(rank) / cores;
    }

    @Override
    public Set<String> capabilities() {
        return capabilities;
    }

    @Override
    public List<? extends AttemptView> attempts() {
        return attemptsHeld();
    }

    @Override
    public String toString() {
        return "rank " + rank + " (" + capacityClass + ", " + status + ", " + columns.heldCores(rank) + "/" + columns.cores(rank) + " cores held)";
    }
}
