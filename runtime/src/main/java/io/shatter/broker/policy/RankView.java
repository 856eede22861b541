package io.shatter.broker.policy;

import io.shatter.CapacityClass;

import java.util.List;
import java.util.Set;

/** A worker rank as a placement policy sees it. */
public interface RankView {

    /** The rank number. */
    int rank();

    /** Its capacity class. */
    CapacityClass capacityClass();

    /** Whether it takes work now (joined, not being revoked). */
    boolean isActive();

    /** Its cores. */
    int cores();

    /**
     * Cores it could take on now: its cores times the pipeline depth (more than one attempt per
     * core is queued on the rank when shards are short, to hide the round trip), minus what it holds.
     */
    int freeUnits();

    /** Cores not held by any attempt, running or queued: where work starts at once. */
    int freeCores();

    /** How many attempts per core the broker queues on this rank ahead of time. */
    int pipelineDepth();

    /** Cores held by its attempts divided by its cores (may exceed 1 while pipelining). */
    double load();

    /** Its capability labels. */
    Set<String> capabilities();

    /** Attempts it runs or has queued. */
    List<? extends AttemptView> attempts();
}
