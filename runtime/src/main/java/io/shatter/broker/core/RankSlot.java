package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.broker.policy.AttemptView;
import io.shatter.broker.policy.RankView;

import java.util.ArrayList;
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
    private int cores;
    private Set<String> capabilities = Set.of();
    private Status status;
    private int heldCores;
    /** Sized now, so that its array sits beside the slot in memory: at 10,000 ranks that is one cache miss less per attempt. */
    final List<Task> attempts = new ArrayList<>(4);
    long activeSince;
    long committed;
    /** Revocations so far: a grace timer of an earlier one finds another number and does nothing. */
    int revocationEpoch;
    /** Shards whose outputs this rank caches; forgotten when it leaves. */
    final List<Integer> cachedOutputs = new ArrayList<>();

    RankSlot(int rank, CapacityClass capacityClass, boolean joinSlot, CapacityIndex index) {
        this.rank = rank;
        this.capacityClass = capacityClass;
        this.joinSlot = joinSlot;
        this.index = index;
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

    void add(Task task) {
        task.indexOnRank = attempts.size();
        attempts.add(task);
        heldCores += task.spec.cores();
        index.changed(this, isActive());
    }

    void remove(Task task) {
        int i = task.indexOnRank;
        Task last = attempts.remove(attempts.size() - 1);
        if (last != task) {
            attempts.set(i, last);
            last.indexOnRank = i;
        }
        task.indexOnRank = -1;
        heldCores -= task.spec.cores();
        index.changed(this, isActive());
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
        return attempts;
    }

    @Override
    public String toString() {
        return "rank " + rank + " (" + capacityClass + ", " + status + ", " + heldCores + "/" + cores + " cores held)";
    }
}
