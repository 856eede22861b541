package io.shatter.predictor;

import java.time.ZoneId;
import java.util.List;

/**
 * A parsed Standard Workload Format log.
 *
 * @param source         file name, for messages
 * @param maxProcs       header {@code MaxProcs} (or {@code MaxNodes}, or the largest allocation seen, see {@code notes})
 * @param unixStartTime  header {@code UnixStartTime}, 0 when absent
 * @param zone           header {@code TimeZoneString} (or {@code TimeZone} offset), UTC when absent
 * @param jobs           data lines in file order
 * @param badLines       1-based numbers of the lines that were skipped as malformed
 * @param notes          what the reader had to assume, one sentence each, for the user
 */
public record SwfLog(String source, int maxProcs, long unixStartTime, ZoneId zone, List<SwfJob> jobs,
                     List<Long> badLines, List<String> notes) {

    /**
     * This log with every unknown wait time (field 3, {@code -1}) taken as 0, so each such job
     * starts when it was submitted; a warning saying how many goes into the notes.
     */
    public SwfLog assumingZeroWait() {
        long unknown = jobs.stream().filter(j -> j.waitTime() < 0).count();
        if (unknown == 0) {
            return this;
        }
        List<SwfJob> changed = jobs.stream().map(j -> j.waitTime() >= 0 ? j : new SwfJob(j.jobId(), j.submitTime(), 0, j.runTime(),
                j.allocatedProcs(), j.requestedProcs(), j.requestedTime(), j.status(), j.userId(), j.lineNumber())).toList();
        List<String> moreNotes = new java.util.ArrayList<>(notes);
        moreNotes.add("warning: the wait time (field 3) of " + unknown + " of " + jobs.size() + " job(s) was unknown and taken as 0 "
                + "(--assume-zero-wait): they start at their submit time, so idle cores are understated wherever jobs really queued.");
        return new SwfLog(source, maxProcs, unixStartTime, zone, changed, badLines, List.copyOf(moreNotes));
    }
}
