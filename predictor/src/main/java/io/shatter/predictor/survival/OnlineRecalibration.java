package io.shatter.predictor.survival;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps a forecaster's calibration up to date from the questions it was asked during a run: each
 * answer (raw odds, run length, cores, the step it was asked at) is kept until the run would have
 * ended, then scored against the least idle cores seen over it. Every {@value #REFIT_EVERY}
 * resolved answers of a class of run length (1, 2, 3-4, 5-8, ... steps: short and long runs' odds
 * err differently) an isotonic map is fitted to the earlier half of that class's last
 * {@value #WINDOW} and replaces the class's calibration if it scores a lower log loss on the later
 * half. Site
 * conditions drift (the validation period is months old by the time the model runs), and this is
 * how the odds follow them.
 *
 * <p>Steps are whole model steps; the same question asked twice in a step is kept once. Nothing
 * here reads a clock: the caller says which step it is.
 */
public final class OnlineRecalibration {
    /** Resolved answers the fit looks at (the most recent). */
    static final int WINDOW = 20_000;
    /** Resolved answers between two refits. */
    static final int REFIT_EVERY = 2_000;
    /** Longest run kept track of, in steps (longer questions are not learnt from). */
    private static final int MAX_RUN_STEPS = 288;

    private int refits;
    /** Least idle cores per step, a ring over the last {@link #MAX_RUN_STEPS} + 1 steps. */
    private final int[] leastIdle = new int[MAX_RUN_STEPS + 1];
    private final long[] leastIdleStep = new long[MAX_RUN_STEPS + 1];
    /** Pending answers, a growing queue ordered by the step they were asked at. */
    private long[] pendingStep = new long[256];
    private int[] pendingRunSteps = new int[256];
    private double[] pendingCores = new double[256];
    private double[] pendingRaw = new double[256];
    private int pendingHead;
    private int pendingTail;
    private final Set<Long> askedThisStep = new HashSet<>();
    private long askedStep = Long.MIN_VALUE;
    /** Per class of run length (see {@link #classOf}): its resolved answers and calibration. */
    private final RunClass[] classes = new RunClass[CLASSES];
    /** The calibration of a class until its own answers replace it. */
    private final Calibration initial;
    private long resolved;

    /** Classes of run length: 1, 2, 3-4, 5-8, ... steps, since odds for short and long runs err differently. */
    private static final int CLASSES = 10;

    /** The answers resolved for one class of run length, the last {@link #WINDOW}, and the calibration fitted to them. */
    private static final class RunClass {
        final double[] raw = new double[WINDOW];
        final boolean[] survived = new boolean[WINDOW];
        long resolved;
        Calibration current;

        RunClass(Calibration initial) {
            current = initial;
        }
    }

    static int classOf(int runSteps) {
        return Math.min(CLASSES - 1, 32 - Integer.numberOfLeadingZeros(Math.max(0, runSteps - 1)));
    }

    /** Starts from {@code initial} (the calibration chosen on validation). */
    public OnlineRecalibration(Calibration initial) {
        this.initial = initial;
        Arrays.fill(leastIdleStep, Long.MIN_VALUE);
    }

    /** The calibration in force for runs of {@code runSteps} steps. */
    public Calibration current(int runSteps) {
        RunClass runClass = classes[classOf(runSteps)];
        return runClass == null ? initial : runClass.current;
    }

    /** How many times a refit replaced the calibration. */
    public int refits() {
        return refits;
    }

    /** Answers resolved so far. */
    public long resolved() {
        return resolved;
    }

    /** Records that at {@code step} the raw odds {@code raw} were given for {@code cores} over {@code runSteps} steps. */
    public void asked(long step, int runSteps, double cores, double raw) {
        if (runSteps < 1 || runSteps > MAX_RUN_STEPS) {
            return;
        }
        if (step != askedStep) {
            askedStep = step;
            askedThisStep.clear();
        }
        if (!askedThisStep.add((long) runSteps << 32 ^ Double.doubleToLongBits(cores))) {
            return;
        }
        if (pendingTail == pendingStep.length) {
            compactOrGrow();
        }
        pendingStep[pendingTail] = step;
        pendingRunSteps[pendingTail] = runSteps;
        pendingCores[pendingTail] = cores;
        pendingRaw[pendingTail] = raw;
        pendingTail++;
    }

    /** Step {@code step} is over and its least idle cores were {@code least}: resolves the answers whose run ended with it. */
    public void stepCompleted(long step, int least) {
        int slot = (int) Math.floorMod(step, leastIdle.length);
        leastIdle[slot] = least;
        leastIdleStep[slot] = step;
        // Answers are queued in step order but end at different steps: scan the queue for those due.
        int kept = pendingHead;
        for (int i = pendingHead; i < pendingTail; i++) {
            long end = pendingStep[i] + pendingRunSteps[i];
            if (end <= step) {
                resolve(pendingStep[i], pendingRunSteps[i], pendingCores[i], pendingRaw[i]);
            } else {
                pendingStep[kept] = pendingStep[i];
                pendingRunSteps[kept] = pendingRunSteps[i];
                pendingCores[kept] = pendingCores[i];
                pendingRaw[kept] = pendingRaw[i];
                kept++;
            }
        }
        pendingTail = kept;
    }

    private void resolve(long askedAt, int runSteps, double cores, double raw) {
        int least = Integer.MAX_VALUE;
        for (long s = askedAt + 1; s <= askedAt + runSteps; s++) {
            int slot = (int) Math.floorMod(s, leastIdle.length);
            if (leastIdleStep[slot] != s) {
                return; // a step with no sample: the outcome is unknown, so it teaches nothing
            }
            least = Math.min(least, leastIdle[slot]);
        }
        int c = classOf(runSteps);
        if (classes[c] == null) {
            classes[c] = new RunClass(initial); // allocated on first use: most runs ask about few run lengths
        }
        RunClass runClass = classes[c];
        int at = (int) (runClass.resolved % WINDOW);
        runClass.raw[at] = raw;
        runClass.survived[at] = least >= cores;
        runClass.resolved++;
        resolved++;
        if (runClass.resolved % REFIT_EVERY == 0 && runClass.resolved >= WINDOW / 2) {
            refit(runClass);
        }
    }

    private void refit(RunClass runClass) {
        int n = (int) Math.min(runClass.resolved, WINDOW);
        double[] p = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) { // oldest first
            int at = (int) ((runClass.resolved - n + i) % WINDOW);
            p[i] = runClass.raw[at];
            y[i] = runClass.survived[at];
        }
        int half = n / 2;
        Calibration candidate = Calibration.Isotonic.fit(Arrays.copyOf(p, half), Arrays.copyOf(y, half), half);
        if (logLoss(candidate, p, y, half, n) < logLoss(runClass.current, p, y, half, n)) {
            runClass.current = Calibration.Isotonic.fit(p, y, n);
            refits++;
        }
    }

    private static double logLoss(Calibration calibration, double[] p, boolean[] y, int from, int to) {
        double[] mapped = new double[to - from];
        for (int i = from; i < to; i++) {
            mapped[i - from] = calibration.apply(p[i]);
        }
        return SurvivalMetrics.score(mapped, Arrays.copyOfRange(y, from, to), mapped.length, 1).logLoss();
    }

    private void compactOrGrow() {
        int live = pendingTail - pendingHead;
        if (pendingHead > 0) {
            System.arraycopy(pendingStep, pendingHead, pendingStep, 0, live);
            System.arraycopy(pendingRunSteps, pendingHead, pendingRunSteps, 0, live);
            System.arraycopy(pendingCores, pendingHead, pendingCores, 0, live);
            System.arraycopy(pendingRaw, pendingHead, pendingRaw, 0, live);
            pendingHead = 0;
            pendingTail = live;
        }
        if (pendingTail == pendingStep.length) {
            int size = pendingStep.length * 2;
            pendingStep = Arrays.copyOf(pendingStep, size);
            pendingRunSteps = Arrays.copyOf(pendingRunSteps, size);
            pendingCores = Arrays.copyOf(pendingCores, size);
            pendingRaw = Arrays.copyOf(pendingRaw, size);
        }
    }
}
