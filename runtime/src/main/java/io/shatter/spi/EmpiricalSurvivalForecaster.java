package io.shatter.spi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The empirical survival baseline ("E"): a slot that needs {@code k} idle cores when {@code idle}
 * are idle now has a margin of {@code m = idle - k} cores, and it survives a run of length
 * {@code d} when the idle cores never drop by more than {@code m} within {@code d}. E answers with
 * the frequency with which that happened in the partition's recent past: the share of past
 * windows of length {@code d} whose drop (idle at the window's start minus the least idle seen
 * within it) was at most {@code m}.
 *
 * <p>It needs no model file and no native code, learns from the samples the broker sees (plus any
 * history it is given), and is the broker's default forecaster when no site forecaster is
 * configured. Samples are kept on a fixed step ({@value #DEFAULT_STEP_SECONDS} s by default): per
 * step the latest idle count (what a forecast made then would see) and the least (so a dip between
 * two steps still counts against survival). Only whole windows that have already ended are counted,
 * so the answers never use the future. With no whole window seen yet it answers like
 * {@link PersistenceForecaster} (1 if the slot is live), since nothing argues for holding work back.
 *
 * <p>The counts cover the last {@code historySteps} steps (30 days by default), one histogram of
 * drops per distinct run length asked (rounded up to whole steps); a query is then an array read.
 */
public final class EmpiricalSurvivalForecaster implements CapacityForecaster {
    /** Default step of the kept history, seconds. */
    public static final int DEFAULT_STEP_SECONDS = 300;
    /** Default history kept: 30 days of 5-minute steps. */
    public static final int DEFAULT_HISTORY_STEPS = 30 * 288;
    /** Histograms kept for distinct run lengths (least recently asked dropped first). */
    private static final int MAX_RUN_LENGTHS = 64;

    private final int stepSeconds;
    private final int historySteps;
    /** Per step (ring indexed by step number): the latest and the least idle cores seen in it. */
    private final int[] lastIdle;
    private final int[] leastIdle;
    private final Map<Integer, DropCounts> byRunSteps = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, DropCounts> eldest) {
            return size() > MAX_RUN_LENGTHS;
        }
    };
    private final PersistenceForecaster persistence = new PersistenceForecaster();
    /** Step number of the step being filled; steps before it are complete. */
    private long currentStep = Long.MIN_VALUE;
    /** Oldest step held in the rings. */
    private long oldestStep;
    private int idleNow;
    private boolean seen;

    /** The broker's default: 5-minute steps, 30 days of history. */
    public EmpiricalSurvivalForecaster() {
        this(DEFAULT_STEP_SECONDS, DEFAULT_HISTORY_STEPS);
    }

    /**
     * A forecaster keeping {@code historySteps} steps of {@code stepSeconds}.
     *
     * @throws IllegalArgumentException if either is not positive
     */
    public EmpiricalSurvivalForecaster(int stepSeconds, int historySteps) {
        if (stepSeconds <= 0 || historySteps < 2) {
            throw new IllegalArgumentException("step must be positive and history at least 2 steps, got " + stepSeconds
                    + " s and " + historySteps + " steps");
        }
        this.stepSeconds = stepSeconds;
        this.historySteps = historySteps;
        this.lastIdle = new int[historySteps];
        this.leastIdle = new int[historySteps];
    }

    /** A default forecaster that has already seen {@code history} (in time order), e.g. a site's recorded samples. */
    public static EmpiricalSurvivalForecaster of(List<CapacitySample> history) {
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster();
        history.forEach(forecaster::observe);
        return forecaster;
    }

    /**
     * A forecaster that has already seen an idle-core series sampled every {@code stepSeconds}
     * (e.g. one derived from a workload log), step {@code i} at {@code startEpochSeconds + i * stepSeconds}.
     */
    public static EmpiricalSurvivalForecaster ofIdleSeries(int[] idle, int totalCores, long startEpochSeconds, int stepSeconds,
                                                           String partition) {
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster(stepSeconds, DEFAULT_HISTORY_STEPS);
        for (int i = 0; i < idle.length; i++) {
            forecaster.observe(new CapacitySample(startEpochSeconds + (long) i * stepSeconds, partition, totalCores, idle[i], 0));
        }
        return forecaster;
    }

    @Override
    public void observe(CapacitySample sample) {
        persistence.observe(sample);
        long step = Math.floorDiv(sample.epochSeconds(), stepSeconds);
        int idle = sample.idleCores();
        if (!seen) {
            seen = true;
            currentStep = step;
            oldestStep = step;
            put(step, idle, idle);
        } else if (step < currentStep) {
            return; // out of order: the broker's samples are ordered, a late one adds nothing
        } else if (step == currentStep) {
            int slot = slot(step);
            lastIdle[slot] = idle;
            leastIdle[slot] = Math.min(leastIdle[slot], idle);
        } else {
            int carried = lastIdle[slot(currentStep)];
            completeStep(currentStep);
            // Steps with no sample carry the last value over; after a gap longer than the history nothing before it stays.
            long firstFilled = currentStep + 1;
            if (step - currentStep > historySteps) {
                byRunSteps.clear();
                firstFilled = step - historySteps + 1;
                oldestStep = firstFilled;
            }
            for (long s = firstFilled; s < step; s++) {
                advanceTo(s);
                put(s, carried, carried);
                completeStep(s);
            }
            advanceTo(step);
            put(step, idle, idle);
        }
        idleNow = idle;
    }

    private void advanceTo(long step) {
        currentStep = step;
        if (step - oldestStep >= historySteps) {
            oldestStep = step - historySteps + 1;
            for (DropCounts counts : byRunSteps.values()) {
                counts.forgetBefore(oldestStep);
            }
        }
    }

    private void put(long step, int last, int least) {
        int slot = slot(step);
        lastIdle[slot] = last;
        leastIdle[slot] = least;
    }

    /** Step {@code step} is complete: the window of each kept run length that ends with it is whole now. */
    private void completeStep(long step) {
        for (DropCounts counts : byRunSteps.values()) {
            long start = step - counts.runSteps;
            if (start >= oldestStep) {
                counts.add(start, drop(start, counts.runSteps));
            }
        }
    }

    /** Idle at the end of step {@code start} minus the least idle over the {@code runSteps} steps after it (at least 0). */
    private int drop(long start, int runSteps) {
        int least = Integer.MAX_VALUE;
        for (long s = start + 1; s <= start + runSteps; s++) {
            least = Math.min(least, leastIdle[slot(s)]);
        }
        return Math.max(0, lastIdle[slot(start)] - least);
    }

    private int slot(long step) {
        return (int) Math.floorMod(step, historySteps);
    }

    @Override
    public double expectedIdleCores(Duration horizon) {
        return persistence.expectedIdleCores(horizon);
    }

    /**
     * The share of past windows of {@code runLength} (rounded up to whole steps) in which the idle
     * cores dropped by at most the slot's margin, {@code idle now - excessCores}; 0 when the slot is
     * not live now. Half a window is added to both counts, so neither 0 nor 1 is answered from a
     * finite history.
     */
    @Override
    public double survivalProbability(Duration runLength, double excessCores) {
        if (!seen) {
            return persistence.survivalProbability(runLength, excessCores);
        }
        double margin = idleNow - excessCores;
        if (margin < 0) {
            return 0;
        }
        DropCounts counts = countsFor(runSteps(runLength));
        if (counts.windows == 0) {
            return persistence.survivalProbability(runLength, excessCores);
        }
        return (counts.atMost((int) Math.floor(margin)) + 0.5) / (counts.windows + 1.0);
    }

    /** How many whole past windows of {@code runLength} the answer rests on (0: it answers like persistence). */
    public int windowsSeen(Duration runLength) {
        return seen ? countsFor(runSteps(runLength)).windows : 0;
    }

    private int runSteps(Duration runLength) {
        long steps = Math.max(1, (runLength.toMillis() + stepSeconds * 1000L - 1) / (stepSeconds * 1000L));
        return (int) Math.min(steps, historySteps / 2);
    }

    private DropCounts countsFor(int runSteps) {
        DropCounts counts = byRunSteps.get(runSteps);
        if (counts == null) {
            counts = new DropCounts(runSteps, historySteps);
            for (long start = oldestStep; start + runSteps < currentStep; start++) {
                counts.add(start, drop(start, runSteps));
            }
            byRunSteps.put(runSteps, counts);
        }
        return counts;
    }

    /** The drops of the kept windows of one run length, as a histogram with its running total. */
    private static final class DropCounts {
        final int runSteps;
        /** Drop of the window starting at each step (ring by start step) and which start each slot holds. */
        private final int[] dropOf;
        private final long[] startOf;
        private int[] histogram = new int[16];
        /** Cumulative counts, rebuilt on the next query after a change. */
        private int[] atMost = new int[0];
        private boolean stale = true;
        /** No window starting before this step is held. */
        private long firstHeld;
        int windows;

        DropCounts(int runSteps, int historySteps) {
            this.runSteps = runSteps;
            this.dropOf = new int[historySteps];
            this.startOf = new long[historySteps];
            java.util.Arrays.fill(startOf, Long.MIN_VALUE);
        }

        /** Drops the windows that start before {@code oldest}, which left the history. */
        void forgetBefore(long oldest) {
            if (windows == 0) {
                firstHeld = Math.max(firstHeld, oldest);
                return;
            }
            for (; firstHeld < oldest; firstHeld++) {
                int slot = (int) Math.floorMod(firstHeld, dropOf.length);
                if (startOf[slot] == firstHeld) {
                    histogram[dropOf[slot]]--;
                    windows--;
                    startOf[slot] = Long.MIN_VALUE;
                    stale = true;
                }
            }
        }

        void add(long start, int drop) {
            if (windows == 0) {
                firstHeld = start;
            }
            int slot = (int) Math.floorMod(start, dropOf.length);
            if (startOf[slot] != Long.MIN_VALUE) {
                histogram[dropOf[slot]]--; // the window that falls out of the history
                windows--;
            }
            if (drop >= histogram.length) {
                histogram = java.util.Arrays.copyOf(histogram, Math.max(drop + 1, histogram.length * 2));
            }
            histogram[drop]++;
            windows++;
            dropOf[slot] = drop;
            startOf[slot] = start;
            stale = true;
        }

        int atMost(int margin) {
            if (stale) {
                if (atMost.length != histogram.length) {
                    atMost = new int[histogram.length];
                }
                int sum = 0;
                for (int i = 0; i < histogram.length; i++) {
                    sum += histogram[i];
                    atMost[i] = sum;
                }
                stale = false;
            }
            return margin >= atMost.length ? windows : atMost[margin];
        }
    }
}
