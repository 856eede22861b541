package io.shatter.predictor;

/**
 * The fields of one Standard Workload Format job line that capacity needs. Times are seconds from
 * the log's start; {@code -1} means unknown, as in the format.
 *
 * @param jobId          field 1
 * @param submitTime     field 2
 * @param waitTime       field 3, seconds between submission and start
 * @param runTime        field 4, wall-clock seconds the job ran
 * @param allocatedProcs field 5, processors the job held while running
 * @param requestedProcs field 8
 * @param requestedTime  field 9, the wall-clock limit the user asked for (what a scheduler knows in advance)
 * @param status         field 11 (1 completed, 0 failed, 5 cancelled, -1 unknown)
 * @param userId         field 12
 * @param lineNumber     1-based line in the file, for messages
 */
public record SwfJob(long jobId, long submitTime, long waitTime, long runTime, int allocatedProcs,
                     int requestedProcs, long requestedTime, int status, int userId, long lineNumber) {

    /** Start time, or -1 when the job never ran (unknown wait). */
    public long startTime() {
        return waitTime < 0 ? -1 : submitTime + waitTime;
    }

    /** End time, or -1 when unknown. */
    public long endTime() {
        return waitTime < 0 || runTime < 0 ? -1 : submitTime + waitTime + runTime;
    }

    /** Processors the job held: allocated, or requested when the log lacks the allocation. */
    public int procs() {
        return allocatedProcs > 0 ? allocatedProcs : requestedProcs;
    }

    /** Whether the job occupied cores for a known interval (jobs that never ran are ignored for capacity). */
    public boolean ran() {
        return submitTime >= 0 && waitTime >= 0 && runTime > 0 && procs() > 0;
    }
}
