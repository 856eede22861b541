package io.shatter.broker.core;

/**
 * Automatic batching: how many attempts a rank holds per core, from the shard times measured so
 * far, so that tiny shards travel many to a message and long ones one at a time, with no option to
 * tune. The broker sends each rank's assignments of a dispatch round as one frame and a worker
 * returns its results once the shards behind them ran about {@link #MESSAGE_WORK_NANOS} together
 * (or when a lane would otherwise wait), so in steady state each message carries about a
 * millisecond of work both ways ({@link #shardsPerMessage}; {@link AssignmentBatcher} packs them);
 * the queue ahead holds several such messages, so a rank never idles through the round trip that
 * refills it. Every queued attempt stays an attempt of its own:
 * fenced, revocable, preemptible and committed once, exactly as when it runs alone.
 */
final class BatchSizing {
    /** About this much work per message (the worker flushes its results at this much run time). */
    static final long MESSAGE_WORK_NANOS = 1_000_000;
    /**
     * Work queued per core ahead of the running attempt: forty messages, to ride out a slow round
     * trip or a broker that does not run for a while (descheduled on a busy node): with ten, lanes
     * waited 0.4-1.2 s of a 4,000-shard run of 1 ms shards at load 8-10, with forty 0.08-0.59 s.
     * {@link #tailDepth} keeps the deeper queues from unbalancing a run's end.
     */
    static final long QUEUE_WORK_NANOS = 40 * MESSAGE_WORK_NANOS;
    /** Shards longer than this are not queued ahead: late binding balances long work better. */
    static final long LONGEST_QUEUED_SHARD_NANOS = 50_000_000;
    /** Never more than this per core, however tiny the shards (bounds the work a revocation hands back). */
    static final int MAX_DEPTH = 1024;
    /** Never more than this many attempts in one message, however tiny the shards (bounds a message's size). */
    static final int MAX_PER_MESSAGE = 1024;
    /**
     * An excess rank's message carries no more work than the forecast gives these odds of
     * surviving: capacity that may go soon gets its work in smaller messages.
     */
    static final double MESSAGE_SURVIVAL = 0.99;

    private BatchSizing() {
    }

    /**
     * Attempts per core a rank may hold, given the mean run time of the shards measured so far
     * ({@code 0}: nothing measured yet, so nothing is queued ahead until the first result).
     */
    static int pipelineDepth(long expectedRunNanos) {
        if (expectedRunNanos <= 0 || expectedRunNanos > LONGEST_QUEUED_SHARD_NANOS) {
            return 1;
        }
        return (int) Math.max(2, Math.min(MAX_DEPTH, 1 + QUEUE_WORK_NANOS / expectedRunNanos));
    }

    /**
     * The depth near a run's end: queues no deeper than an even share of the shards still waiting
     * ({@code 1 + ready / cores}, and never below 2, one queued behind the running one), so that the
     * last shards go to whichever core frees first (guided self-scheduling) instead of sitting in one
     * rank's deep queue while another rank idles. Far from the end it does not bind.
     */
    static int tailDepth(int depth, int readyShards, int cores) {
        if (depth <= 2 || cores <= 0) {
            return depth;
        }
        return (int) Math.min(depth, Math.max(2, 1 + (long) readyShards / cores));
    }

    /**
     * Attempts per assignment message, given the mean run time of the shards measured so far: about
     * {@link #MESSAGE_WORK_NANOS} of work, at least one and at most {@link #MAX_PER_MESSAGE}
     * ({@code 0}: nothing measured yet, so each attempt travels alone, as a long one would).
     */
    static int shardsPerMessage(long expectedRunNanos) {
        if (expectedRunNanos <= 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(MAX_PER_MESSAGE, MESSAGE_WORK_NANOS / expectedRunNanos));
    }

    /**
     * Attempts per message for an excess rank, whose capacity may go: {@link #shardsPerMessage},
     * halved until the forecast gives the rank at least {@link #MESSAGE_SURVIVAL} odds of outliving
     * one message's work ({@code survival}: odds of outliving a run of that many nanoseconds).
     */
    static int shardsPerMessage(long expectedRunNanos, java.util.function.LongToDoubleFunction survival) {
        int n = shardsPerMessage(expectedRunNanos);
        while (n > 1 && survival.applyAsDouble(n * expectedRunNanos) < MESSAGE_SURVIVAL) {
            n /= 2;
        }
        return n;
    }
}
