package io.shatter.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the series against a brute-force replay of every job at every step. */
class SwfCapacityTest {

    @Test
    void idleAndPendingMatchBruteForceOnKth() {
        checkAgainstBruteForce(SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP), 300);
    }

    @Test
    void idleAndPendingMatchBruteForceOnGzippedCtcAtTenMinutes() {
        checkAgainstBruteForce(SwfReader.read(Excerpts.ctcGzip(), BadLinePolicy.STOP), 600);
    }

    /** A converted log counting from the Unix epoch gives the same series, starting at its first submission. */
    @Test
    void logCountingFromTheEpochStartsAtItsFirstSubmission() {
        SwfLog original = SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP);
        long shift = 1_599_999_900L; // a whole number of steps, so the steps fall at the same instants
        List<SwfJob> shifted = original.jobs().stream().map(j -> new SwfJob(j.jobId(), j.submitTime() + shift, j.waitTime(),
                j.runTime(), j.allocatedProcs(), j.requestedProcs(), j.requestedTime(), j.status(), j.userId(), j.lineNumber())).toList();
        SwfLog converted = new SwfLog("converted", original.maxProcs(), 0, original.zone(), shifted, List.of(), List.of());

        CapacitySeries expected = SwfCapacity.series(original, 300);
        CapacitySeries series = SwfCapacity.series(converted, 300);
        assertEquals(expected.length(), series.length()); // not 1.6e9 / 300 leading steps of an empty machine
        assertEquals(shift, series.startEpochSeconds());
        assertEquals(Arrays.toString(expected.idle()), Arrays.toString(series.idle()));
        assertEquals(Arrays.toString(expected.pending()), Arrays.toString(series.pending()));
    }

    private static void checkAgainstBruteForce(SwfLog log, int step) {
        CapacitySeries series = SwfCapacity.series(log, step);
        List<SwfJob> jobs = log.jobs();
        long lastSubmit = jobs.stream().filter(SwfJob::ran).mapToLong(SwfJob::submitTime).max().orElseThrow();
        assertEquals(lastSubmit / step + 1, series.length());
        int clamped = 0;
        for (int k = 0; k < series.length(); k++) {
            long t = (long) k * step;
            long used = 0;
            long waiting = 0;
            long limitWithin30 = 0;
            long submittedLast30 = 0;
            long overdue = 0;
            int head = 0;
            long headSubmit = Long.MAX_VALUE;
            for (SwfJob job : jobs) {
                if (job.waitTime() < 0 || job.runTime() <= 0 || job.procs() <= 0) {
                    continue;
                }
                long start = job.submitTime() + job.waitTime();
                long end = start + job.runTime();
                if (start <= t && t < end) {
                    used += job.procs();
                    if (job.requestedTime() > 0 && start + job.requestedTime() <= t + 1800) {
                        limitWithin30 += job.procs();
                    }
                    if (job.requestedTime() > 0 && start + job.requestedTime() <= t) {
                        overdue += job.procs();
                    }
                }
                if (job.submitTime() <= t && t < job.submitTime() + 1800) {
                    submittedLast30 += job.procs();
                }
                if (job.submitTime() <= t && t < start) {
                    waiting += job.procs();
                    if (job.submitTime() < headSubmit) {
                        headSubmit = job.submitTime();
                        head = job.procs();
                    }
                }
            }
            if (used > log.maxProcs()) {
                clamped++;
            }
            assertEquals(Math.max(0, log.maxProcs() - used), series.idle()[k], "idle at step " + k);
            assertEquals(waiting, series.pending()[k], "pending at step " + k);
            assertEquals((float) limitWithin30 / log.maxProcs(),
                    series.queue()[QueueChannel.LIMIT_ENDS_30M.ordinal()][k], 1e-6, "limit ends at step " + k);
            assertEquals((float) submittedLast30 / log.maxProcs(),
                    series.queue()[QueueChannel.SUBMITTED_30M.ordinal()][k], 1e-6, "arrivals at step " + k);
            assertEquals((float) overdue / log.maxProcs(), series.queue()[QueueChannel.OVERDUE.ordinal()][k], 1e-6,
                    "overdue at step " + k);
            assertEquals((float) head / log.maxProcs(), series.queue()[QueueChannel.HEAD_OF_QUEUE.ordinal()][k], 1e-6,
                    "head of queue at step " + k);
        }
        assertEquals(clamped, series.clampedSteps());
        if (clamped > 0) {
            assertTrue(series.notes().stream().anyMatch(n -> n.contains("clamped")));
        }
    }
}
