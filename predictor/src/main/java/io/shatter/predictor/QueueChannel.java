package io.shatter.predictor;

/**
 * Extra per-step channels derived from a queue snapshot: everything here is known at the instant
 * (running jobs' start times and requested limits, waiting jobs' sizes), never the future.
 * Counts of cores are fractions of the partition's cores.
 */
public enum QueueChannel {
    /** Running cores whose requested time limit ends within 5 minutes. */
    LIMIT_ENDS_5M,
    /** Running cores whose requested time limit ends within 30 minutes. */
    LIMIT_ENDS_30M,
    /** Running cores whose requested time limit ends within 2 hours. */
    LIMIT_ENDS_120M,
    /**
     * Running cores predicted to end within 5 minutes, predicting each job's run time as the mean of
     * its user's last two jobs that had finished when it started (Tsafrir, Etsion and Feitelson's
     * predictor), capped by its requested limit.
     */
    PREDICTED_ENDS_5M,
    /** As {@link #PREDICTED_ENDS_5M}, within 30 minutes. */
    PREDICTED_ENDS_30M,
    /** As {@link #PREDICTED_ENDS_5M}, within 2 hours. */
    PREDICTED_ENDS_120M,
    /** Running cores of jobs started less than 5 minutes ago (short jobs end soon). */
    STARTED_5M,
    /** Running cores of jobs started less than 30 minutes ago. */
    STARTED_30M,
    /** Running cores of jobs started less than 2 hours ago. */
    STARTED_120M,
    /**
     * Idle cores in 5 minutes as a replay of the queue would have it: running jobs end at their
     * predicted times (as for {@link #PREDICTED_ENDS_5M}) and waiting jobs start, oldest first,
     * as soon as they fit. What a scheduler's own reservation planner computes.
     */
    SIMULATED_IDLE_5M,
    /** As {@link #SIMULATED_IDLE_5M}, in 30 minutes. */
    SIMULATED_IDLE_30M,
    /** As {@link #SIMULATED_IDLE_5M}, in 2 hours. */
    SIMULATED_IDLE_120M,
    /** Cores asked for by the oldest waiting job (the one a FCFS/EASY scheduler drains for). */
    HEAD_OF_QUEUE,
    /** log(1 + number of waiting jobs), not a fraction. */
    LOG_WAITING_JOBS,
    /** Cores of waiting jobs that would fit in the idle cores now. */
    WAITING_THAT_FIT,
    /** Cores asked for by the largest waiting job. */
    LARGEST_WAITING,
    /** Cores submitted in the last 5 minutes (arrivals: new demand for idle cores). */
    SUBMITTED_5M,
    /** Cores submitted in the last 30 minutes. */
    SUBMITTED_30M,
    /** Cores submitted in the last 2 hours. */
    SUBMITTED_120M,
    /** Running cores already past their requested limit (a scheduler about to kill them, or a log quirk). */
    OVERDUE;

    /** Limit/prediction/age windows in seconds for the first nine channels. */
    static final long[] WINDOWS = {300, 1800, 7200};
}
