package io.shatter.predictor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;

/**
 * Turns an SWF log into the partition's idle-core series: cores in use at instant t are the
 * allocated processors of the jobs with {@code start <= t < start + run}, where
 * {@code start = submit + wait}; idle is {@code MaxProcs} minus that, clamped at 0 where the log
 * over-commits the machine (the clamping is counted and reported in the series' notes).
 *
 * <p>The series stops at the last submission: after it the log records no new work, so the
 * machine would seem to drain, which no real cluster does.
 */
public final class SwfCapacity {
    private SwfCapacity() {
    }

    /** Fails naming the field when one field that capacity needs is unknown on every job line. */
    private static void missingField(SwfLog log) {
        List<SwfJob> jobs = log.jobs();
        String count = jobs.size() + " job line(s)";
        if (jobs.stream().allMatch(j -> j.waitTime() < 0)) {
            throw new PredictorException("Trace " + log.source() + ": the wait time (field 3) is unknown (-1) on all its " + count
                    + ", so no job's start (submit + wait) is known. If its jobs started when submitted (or close enough for "
                    + "your purpose), pass --assume-zero-wait to take each start as its submit time.");
        }
        if (jobs.stream().allMatch(j -> j.runTime() <= 0)) {
            throw new PredictorException("Trace " + log.source() + ": the run time (field 4) is unknown or 0 on all its " + count
                    + ", so no job's end is known and there is no capacity history to learn from.");
        }
        if (jobs.stream().allMatch(j -> j.procs() <= 0)) {
            throw new PredictorException("Trace " + log.source() + ": both the allocated (field 5) and the requested (field 8) "
                    + "processors are unknown on all its " + count + ", so the cores in use are not known.");
        }
    }

    /** The series of {@code log} at {@code stepSeconds}, with queue-snapshot channels. */
    public static CapacitySeries series(SwfLog log, int stepSeconds) {
        List<SwfJob> ran = log.jobs().stream().filter(SwfJob::ran).toList();
        if (ran.isEmpty()) {
            missingField(log);
            throw new PredictorException("Trace " + log.source() + " has no job that ran (no line with a known wait time, "
                    + "a positive run time and processors): there is no capacity history to learn from.");
        }
        // Archive logs count from 0; converted ones may count from the Unix epoch: start at the first submission either way.
        long origin = Math.floorDiv(ran.stream().mapToLong(SwfJob::submitTime).min().orElseThrow(), stepSeconds) * stepSeconds;
        if (origin > 0) {
            ran = ran.stream().map(job -> new SwfJob(job.jobId(), job.submitTime() - origin, job.waitTime(), job.runTime(),
                    job.allocatedProcs(), job.requestedProcs(), job.requestedTime(), job.status(), job.userId(),
                    job.lineNumber())).toList();
        }
        long lastSubmit = ran.stream().mapToLong(SwfJob::submitTime).max().orElseThrow();
        int n = (int) Math.min(Integer.MAX_VALUE - 1, lastSubmit / stepSeconds + 1);
        int total = log.maxProcs();

        long[] used = new long[n + 1];
        long[] waiting = new long[n + 1];
        long[][] limitEnds = new long[3][n + 1];
        long[][] started = new long[3][n + 1];
        long[][] predictedEnds = new long[3][n + 1];
        long[][] submitted = new long[3][n + 1];
        long[] overdue = new long[n + 1];
        Map<SwfJob, Long> predictedRunTime = predictRunTimes(ran);
        for (SwfJob job : ran) {
            long start = job.startTime();
            long end = job.endTime();
            int procs = job.procs();
            addInterval(used, start, end, procs, stepSeconds, n);
            addInterval(waiting, job.submitTime(), start, procs, stepSeconds, n);
            if (job.requestedTime() > 0) {
                addInterval(overdue, start + job.requestedTime(), end, procs, stepSeconds, n);
            }
            for (int w = 0; w < 3; w++) {
                long window = QueueChannel.WINDOWS[w];
                if (job.requestedTime() > 0) {
                    long limitEnd = start + job.requestedTime();
                    addInterval(limitEnds[w], Math.max(start, limitEnd - window), end, procs, stepSeconds, n);
                }
                // Submitted at s, so part of "arrivals in the last window" on [s, s + window].
                addInterval(submitted[w], job.submitTime(), job.submitTime() + window, procs, stepSeconds, n);
                addInterval(started[w], start, Math.min(end, start + window), procs, stepSeconds, n);
                long predictedEnd = start + predictedRunTime.get(job);
                addInterval(predictedEnds[w], Math.max(start, predictedEnd - window), end, procs, stepSeconds, n);
            }
        }
        int[] idle = new int[n];
        int[] pending = new int[n];
        float[][] queue = new float[QueueChannel.values().length][n];
        int clamped = 0;
        long usedNow = 0;
        long waitingNow = 0;
        long[] limitNow = new long[3];
        long[] startedNow = new long[3];
        long[] predictedNow = new long[3];
        long[] submittedNow = new long[3];
        long overdueNow = 0;
        for (int k = 0; k < n; k++) {
            usedNow += used[k];
            waitingNow += waiting[k];
            if (usedNow > total) {
                clamped++;
            }
            idle[k] = (int) Math.max(0, total - usedNow);
            pending[k] = (int) Math.min(Integer.MAX_VALUE, waitingNow);
            overdueNow += overdue[k];
            queue[QueueChannel.OVERDUE.ordinal()][k] = (float) overdueNow / total;
            for (int w = 0; w < 3; w++) {
                limitNow[w] += limitEnds[w][k];
                startedNow[w] += started[w][k];
                predictedNow[w] += predictedEnds[w][k];
                queue[QueueChannel.PREDICTED_ENDS_5M.ordinal() + w][k] = (float) predictedNow[w] / total;
                queue[QueueChannel.LIMIT_ENDS_5M.ordinal() + w][k] = (float) limitNow[w] / total;
                queue[QueueChannel.STARTED_5M.ordinal() + w][k] = (float) startedNow[w] / total;
                submittedNow[w] += submitted[w][k];
                queue[QueueChannel.SUBMITTED_5M.ordinal() + w][k] = (float) submittedNow[w] / total;
            }
        }
        fillWaitingJobChannels(ran, idle, queue, stepSeconds, total, predictedRunTime);

        List<String> notes = new ArrayList<>(log.notes());
        long neverRan = log.jobs().size() - ran.size();
        if (neverRan > 0) {
            notes.add(neverRan + " job(s) never ran or lack wait/run time/processors and were ignored.");
        }
        if (clamped > 0) {
            notes.add(String.format(Locale.ROOT,
                    "The log's jobs use more than its %d processors at %d of %d steps (%.2f%%): idle cores clamped to 0 there.",
                    total, clamped, n, 100.0 * clamped / n));
        }
        return new CapacitySeries(log.source(), "swf", log.unixStartTime() + origin, stepSeconds, total, log.zone(), idle, pending,
                queue, clamped, notes);
    }

    /** A replay of the queue forward from a snapshot (see {@link QueueChannel#SIMULATED_IDLE_5M}). */
    private static final class QueueReplay {
        /** Waiting jobs looked at per event: enough for the head of the queue, bounded for speed. */
        private static final int QUEUE_DEPTH = 64;
        final long[] idleAt = new long[3];
        private final java.util.PriorityQueue<long[]> ends = new java.util.PriorityQueue<>(Comparator.comparingLong(e -> e[0]));
        private final boolean[] started = new boolean[QUEUE_DEPTH];

        void run(long now, long idleNow, List<SwfJob> running, List<SwfJob> waiting, Map<SwfJob, Long> predicted) {
            ends.clear();
            for (SwfJob job : running) {
                long elapsed = now - job.startTime();
                long end = job.startTime() + predicted.get(job);
                if (end <= now) {
                    // Overdue: guess it runs as long again, within its limit.
                    long limitEnd = job.requestedTime() > 0 ? job.startTime() + job.requestedTime() : Long.MAX_VALUE;
                    end = Math.max(now + 1, Math.min(limitEnd, now + Math.max(1, elapsed)));
                }
                ends.add(new long[] {end, job.procs()});
            }
            int depth = Math.min(QUEUE_DEPTH, waiting.size());
            java.util.Arrays.fill(started, false);
            long free = idleNow;
            free = startFitting(now, free, waiting, depth, predicted);
            int next = 0;
            while (next < 3) {
                long checkpoint = now + QueueChannel.WINDOWS[next];
                long[] event = ends.peek();
                if (event == null || event[0] > checkpoint) {
                    idleAt[next++] = free;
                    continue;
                }
                ends.poll();
                free += event[1];
                free = startFitting(event[0], free, waiting, depth, predicted);
            }
        }

        private long startFitting(long now, long free, List<SwfJob> waiting, int depth, Map<SwfJob, Long> predicted) {
            for (int i = 0; i < depth && free > 0; i++) {
                SwfJob job = waiting.get(i);
                if (!started[i] && job.procs() <= free) {
                    started[i] = true;
                    free -= job.procs();
                    ends.add(new long[] {now + predicted.get(job), job.procs()});
                }
            }
            return free;
        }
    }

    /**
     * Each job's run time as it could have been predicted when it started: the mean run time of the
     * user's last two jobs that had ended by then, capped by the job's requested limit; without
     * such history, the requested limit, or an hour when the log has none.
     */
    private static Map<SwfJob, Long> predictRunTimes(List<SwfJob> ran) {
        SwfJob[] byStart = ran.toArray(new SwfJob[0]);
        Arrays.sort(byStart, Comparator.comparingLong(SwfJob::startTime));
        SwfJob[] byEnd = ran.toArray(new SwfJob[0]);
        Arrays.sort(byEnd, Comparator.comparingLong(SwfJob::endTime));
        Map<Integer, long[]> lastTwo = new HashMap<>(); // user -> {latest, previous} run times, -1 if none
        Map<SwfJob, Long> predicted = new IdentityHashMap<>();
        int ended = 0;
        for (SwfJob job : byStart) {
            while (ended < byEnd.length && byEnd[ended].endTime() <= job.startTime()) {
                SwfJob done = byEnd[ended++];
                long[] history = lastTwo.computeIfAbsent(done.userId(), u -> new long[] {-1, -1});
                history[1] = history[0];
                history[0] = done.runTime();
            }
            long[] history = lastTwo.get(job.userId());
            long limit = job.requestedTime() > 0 ? job.requestedTime() : Long.MAX_VALUE;
            long guess;
            if (history == null || job.userId() < 0) {
                guess = limit == Long.MAX_VALUE ? 3600 : limit;
            } else {
                guess = history[1] < 0 ? history[0] : (history[0] + history[1]) / 2;
            }
            predicted.put(job, Math.max(1, Math.min(guess, limit)));
        }
        return predicted;
    }

    /** Adds {@code value} to the steps k with {@code from <= k*step < to}, as a difference array. */
    private static void addInterval(long[] diff, long from, long to, long value, int step, int n) {
        long k0 = ceilDiv(from, step);
        long k1 = Math.min(n, ceilDiv(to, step));
        if (k1 <= k0 || k0 >= n) {
            return;
        }
        diff[(int) Math.max(0, k0)] += value;
        diff[(int) k1] -= value;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Head-of-queue, count, fitting and largest waiting job per step, from a sweep over submissions. */
    private static void fillWaitingJobChannels(List<SwfJob> ran, int[] idle, float[][] queue, int step, int total,
                                               Map<SwfJob, Long> predictedRunTime) {
        SwfJob[] byStart = ran.toArray(new SwfJob[0]);
        Arrays.sort(byStart, Comparator.comparingLong(SwfJob::startTime));
        List<SwfJob> running = new ArrayList<>();
        int nextStart = 0;
        QueueReplay replay = new QueueReplay();
        SwfJob[] bySubmit = ran.toArray(new SwfJob[0]);
        Arrays.sort(bySubmit, Comparator.comparingLong(SwfJob::submitTime)); // stable: file order breaks ties
        List<SwfJob> waiting = new ArrayList<>();
        int next = 0;
        for (int k = 0; k < idle.length; k++) {
            long t = (long) k * step;
            while (next < bySubmit.length && bySubmit[next].submitTime() <= t) {
                if (bySubmit[next].startTime() > t) {
                    waiting.add(bySubmit[next]);
                }
                next++;
            }
            waiting.removeIf(job -> job.startTime() <= t);
            while (nextStart < byStart.length && byStart[nextStart].startTime() <= t) {
                running.add(byStart[nextStart++]);
            }
            running.removeIf(job -> job.endTime() <= t);
            replay.run(t, idle[k], running, waiting, predictedRunTime);
            for (int w = 0; w < 3; w++) {
                queue[QueueChannel.SIMULATED_IDLE_5M.ordinal() + w][k] = (float) Math.min(total, replay.idleAt[w]) / total;
            }
            int head = 0;
            int largest = 0;
            long fit = 0;
            for (int i = 0; i < waiting.size(); i++) {
                int procs = waiting.get(i).procs();
                if (i == 0) {
                    head = procs;
                }
                largest = Math.max(largest, procs);
                if (procs <= idle[k]) {
                    fit += procs;
                }
            }
            queue[QueueChannel.HEAD_OF_QUEUE.ordinal()][k] = (float) head / total;
            queue[QueueChannel.LOG_WAITING_JOBS.ordinal()][k] = (float) Math.log1p(waiting.size());
            queue[QueueChannel.WAITING_THAT_FIT.ordinal()][k] = (float) fit / total;
            queue[QueueChannel.LARGEST_WAITING.ordinal()][k] = (float) largest / total;
        }
    }
}
