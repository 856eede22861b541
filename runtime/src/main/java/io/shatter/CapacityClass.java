package io.shatter;

/** What kind of capacity a rank's slot is, which decides what may run there and what can happen to it. */
public enum CapacityClass {
    /** The job's own Slurm allocation: stays for the whole job, may be preempted for CRITICAL work. */
    RESERVED,
    /** The cluster's idle capacity (backfill, preemptible partitions): may be revoked at any moment. */
    EXCESS,
    /** Reserved ranks kept free for shadow attempts of critical shards. */
    SPARE
}
