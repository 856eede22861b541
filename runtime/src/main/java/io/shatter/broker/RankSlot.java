package io.shatter.broker;

import io.shatter.CapacityClass;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The broker's record of one worker rank: its class, cores, status and the attempts it holds.
 * Belongs to the broker's event loop.
 */
final class RankSlot implements RankView {
    /**
     * Where a rank is in its life: joining (hello not yet seen), active, being revoked, gone; or, for
     * a join slot, vacant (no worker holds it now; the next one to join takes it).
     */
    enum Status { JOINING, ACTIVE, REVOKING, GONE, VACANT }

    final int rank;
    final CapacityClass capacityClass;
    int cores;
    Set<String> capabilities = Set.of();
    Status status = Status.JOINING;
    int heldCores;
    int pipelineDepth = 1;
    final List<Task> attempts = new ArrayList<>();
    long activeSince;
    long committed;
    /** Shards whose outputs this rank caches; forgotten when it leaves. */
    final List<Integer> cachedOutputs = new ArrayList<>();

    /** Whether workers outside the MPI world take this rank by joining (it is never waited for). */
    final boolean joinSlot;

    RankSlot(int rank, CapacityClass capacityClass, boolean joinSlot) {
        this.rank = rank;
        this.capacityClass = capacityClass;
        this.joinSlot = joinSlot;
        this.status = joinSlot ? Status.VACANT : Status.JOINING;
    }

    void add(Task task) {
        task.indexOnRank = attempts.size();
        attempts.add(task);
        heldCores += task.spec.cores();
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
        return cores * pipelineDepth - heldCores;
    }

    @Override
    public int freeCores() {
        return Math.max(0, cores - heldCores);
    }

    @Override
    public int pipelineDepth() {
        return pipelineDepth;
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
}
