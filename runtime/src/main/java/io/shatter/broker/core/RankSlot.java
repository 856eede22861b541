package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.broker.policy.AttemptView;
import io.shatter.broker.policy.RankView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The core's record of one worker rank: its class, cores, status and the attempts it holds. Every
 * change that could change whether it has room goes through a method here, which tells the
 * {@link CapacityIndex}.
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
    private final TaskTable tasks;
    private int cores;
    private Set<String> capabilities = Set.of();
    private Status status;
    private int heldCores;
    /**
     * Ids of the attempts it holds, in the order a list with swap-removal keeps them; each one's place
     * here is in the table's column ({@link TaskTable#indexOnRank}), so removing one touches no task object.
     * Sized now, so that the array sits beside the slot in memory.
     */
    private int[] attemptIds = new int[4];
    private int attemptCount;
    long activeSince;
    long committed;
    /** Revocations so far: a grace timer of an earlier one finds another number and does nothing. */
    int revocationEpoch;
    /** Shards whose outputs this rank caches; forgotten when it leaves. */
    final List<Integer> cachedOutputs = new ArrayList<>();

    RankSlot(int rank, CapacityClass capacityClass, boolean joinSlot, CapacityIndex index, TaskTable tasks) {
        this.rank = rank;
        this.capacityClass = capacityClass;
        this.joinSlot = joinSlot;
        this.index = index;
        this.tasks = tasks;
        this.status = joinSlot ? Status.VACANT : Status.JOINING;
    }

    Status status() {
        return status;
    }

    void setStatus(Status next) {
        boolean wasActive = isActive();
        status = next;
        index.changed(this, wasActive);
    }

    /** A worker said hello with these cores and capabilities. */
    void joined(int cores, Set<String> capabilities, long now) {
        this.cores = cores;
        this.capabilities = capabilities;
        this.activeSince = now;
        setStatus(Status.ACTIVE);
    }

    /** Takes live task {@code taskId}'s attempt (placed on this rank already). */
    void add(int taskId) {
        if (attemptCount == attemptIds.length) {
            attemptIds = Arrays.copyOf(attemptIds, attemptCount * 2);
        }
        tasks.setIndexOnRank(taskId, attemptCount);
        attemptIds[attemptCount++] = taskId;
        heldCores += tasks.cores(taskId);
        index.changed(this, isActive());
    }

    /** Gives up live task {@code taskId}'s attempt: the last one held takes its place. */
    void remove(int taskId) {
        int i = tasks.indexOnRank(taskId);
        int last = attemptIds[--attemptCount];
        if (last != taskId) {
            attemptIds[i] = last;
            tasks.setIndexOnRank(last, i);
        }
        heldCores -= tasks.cores(taskId);
        index.changed(this, isActive());
    }

    /** The attempts it holds now, a copy (safe to end them while going through it). */
    List<Task> attemptsHeld() {
        List<Task> held = new ArrayList<>(attemptCount);
        for (int i = 0; i < attemptCount; i++) {
            held.add(tasks.get(attemptIds[i]));
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
        return status == Status.ACTIVE;
    }

    @Override
    public int cores() {
        return cores;
    }

    @Override
    public int freeUnits() {
        return cores * index.pipelineDepth() - heldCores;
    }

    @Override
    public int freeCores() {
        return Math.max(0, cores - heldCores);
    }

    @Override
    public int pipelineDepth() {
        return index.pipelineDepth();
    }

    @Override
    public double load() {
        return cores == 0 ? Double.MAX_VALUE : (double) heldCores / cores;
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
        return "rank " + rank + " (" + capacityClass + ", " + status + ", " + heldCores + "/" + cores + " cores held)";
    }
}
