package io.shatter.predictor.survival;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

/**
 * The calibration the broker's model forecaster answers through, kept up to date during the run:
 * a logistic regression per class of run length that stacks the model's raw survival odds with
 * E's ({@link io.shatter.spi.EmpiricalSurvivalForecaster}) and the slot's margin, refitted once a
 * day on the most recent answers whose runs are over, the newer weighing more.
 *
 * <p>Why: on the shared logs survival rates drift faster than a month, so a map fitted on the
 * validation period (months old by the time the model runs) misses on the test period, and a
 * map of the model's odds alone cannot use what E knows. Inputs per question: {@code 1},
 * {@code logit(model)}, {@code logit(E)}, {@code margin / cores} and {@code idle / cores}, where
 * {@code margin = idle - slot cores}. Refitted on the last {@value #WINDOW_DAYS} days with weights
 * halving every {@value #HALF_LIFE_DAYS} days (chosen on the validation period of KTH and CTC among
 * 14, 21 and 30-day windows and 7, 10 and 14-day half-lives; predictor/README.md has the figures).
 *
 * <p>What it learns from does not depend on what the broker happens to ask: at every step the
 * forecaster asks itself the questions a broker with {@value #SLOTS} excess slots would (slot
 * {@code j} needing {@code j} times the idle cores one slot stands for, while live, for runs of
 * {@link #RUN_MINUTES}), so that replaying a site's recorded history before a run already fits it.
 * The cores of one slot are those set with {@link #slotCores(int)} (the trace-driven run and the
 * scores set them), else the fewest the broker has asked about (its lowest live excess rank's own
 * cores), else the partition's median idle cores over the window divided by {@value #SLOTS}. Until a class has {@value #MIN_CASES} resolved answers
 * with both outcomes it answers through the calibration chosen on validation ({@code initial}).
 * Nothing here reads a clock: the caller says which step it is.
 *
 * <p>The daily refit runs off the caller's thread (the broker's event loop): at the step that
 * starts a new day the resolved answers are copied (a snapshot; the rows themselves are never
 * changed) and fitted on {@code refits}, an executor; the result is installed at the step
 * {@value #INSTALL_AFTER_STEPS} later, whatever the machine's speed, so the same samples give the
 * same answers. If the fit is not done by then (a step is minutes; a fit tens of milliseconds) the
 * caller waits for it, or runs it itself if the executor has not started it.
 */
public final class StackedRecalibration {
    /** Run lengths of the questions asked at every step; a run of another length uses the nearest (in ratio). */
    public static final int[] RUN_MINUTES = {10, 40, 120};
    /** Excess slots asked about per step. */
    public static final int SLOTS = 6;
    /** Days of resolved answers a refit looks at. */
    static final int WINDOW_DAYS = 30;
    /** Age, in days, at which an answer weighs half as much as a new one. */
    static final int HALF_LIFE_DAYS = 7;
    /** Resolved answers (with at least {@link #MIN_EACH} of each outcome) a class needs before its own fit replaces {@code initial}. */
    static final int MIN_CASES = 500;
    private static final int MIN_EACH = 25;
    /**
     * Highest odds answered. A refit rests on a few weeks, in which a collapse that takes every
     * slot at once (SDSC's test period has one: a day when 120-minute answers above 0.99 came true
     * 52% of the time) may not occur; odds above this are not earned by such a history.
     */
    public static final double MAX_ODDS = 0.98;
    private static final int FEATURES = 5;
    /** Steps from the snapshot of a day's refit to its installation. */
    public static final int INSTALL_AFTER_STEPS = 1;
    /** The refits of every recalibration in the JVM that is not given its own executor: one daemon thread. */
    private static final ExecutorService SHARED_REFITS = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "shatter-recalibration-refit");
        thread.setDaemon(true); // a refit in flight must not keep a finished run's JVM alive
        return thread;
    });

    private final int[] runSteps;
    private final int stepsPerDay;
    private final int windowSteps;
    /** Log-weight lost per step of age: weights halve every {@link #HALF_LIFE_DAYS} days. */
    private final double decayPerStep;
    private final Calibration initial;
    /** Per class: coefficients of the current fit, or null while it answers through {@link #initial}. */
    private final double[][] coefficients = new double[RUN_MINUTES.length][];
    private final Cases[] cases = new Cases[RUN_MINUTES.length];
    /** Latest and least idle cores per completed step, rings over the window. */
    private final int[] lastIdle;
    private final int[] leastIdle;
    private final long[] ringStep;
    private long refittedAt = Long.MIN_VALUE;
    private final Executor refitExecutor;
    /** The refit in flight (coefficients per class, null where a class keeps its fit), or null. */
    private FutureTask<double[][]> refitInFlight;
    /** The step at which {@link #refitInFlight} is installed. */
    private long installAt;
    private long lastCompleted = Long.MIN_VALUE;
    /** Cores of one self-asked slot: set, or else learnt from the broker's questions (0: not known). */
    private int setSlotCores;
    private int fewestAsked = Integer.MAX_VALUE;
    private int medianSlotCores;
    private int refits;
    /** Questions asked and not yet resolved, in the order asked. */
    private final java.util.ArrayDeque<Pending> pending = new java.util.ArrayDeque<>();

    private record Pending(long step, int runClass, int cores, float[] features) {
    }

    /**
     * A recalibration for a forecaster on {@code stepSeconds} steps that starts from {@code initial}
     * (chosen on validation), refitting on a daemon thread shared by the JVM's recalibrations.
     */
    public StackedRecalibration(int stepSeconds, Calibration initial) {
        this(stepSeconds, initial, SHARED_REFITS);
    }

    /** As {@link #StackedRecalibration(int, Calibration)}, refitting on {@code refits} ({@code Runnable::run}: on the caller's thread). */
    public StackedRecalibration(int stepSeconds, Calibration initial, Executor refits) {
        this.refitExecutor = java.util.Objects.requireNonNull(refits, "refits");
        if (stepSeconds <= 0) {
            throw new IllegalArgumentException("step must be positive, got " + stepSeconds);
        }
        this.initial = initial;
        this.stepsPerDay = Math.max(1, 86_400 / stepSeconds);
        this.windowSteps = WINDOW_DAYS * stepsPerDay;
        this.decayPerStep = Math.log(2) / (HALF_LIFE_DAYS * stepsPerDay);
        this.runSteps = new int[RUN_MINUTES.length];
        for (int c = 0; c < runSteps.length; c++) {
            runSteps[c] = Math.max(1, (RUN_MINUTES[c] * 60 + stepSeconds - 1) / stepSeconds);
            cases[c] = new Cases(windowSteps * SLOTS + 1);
        }
        int ring = windowSteps + 1;
        lastIdle = new int[ring];
        leastIdle = new int[ring];
        ringStep = new long[ring];
        Arrays.fill(ringStep, Long.MIN_VALUE);
    }

    /** Steps of the run length of class {@code runClass}. */
    public int runSteps(int runClass) {
        return runSteps[runClass];
    }

    /** The class whose run length is nearest (in ratio) to {@code steps}. */
    public int classOf(double steps) {
        int best = 0;
        for (int c = 1; c < runSteps.length; c++) {
            if (Math.abs(Math.log(steps / runSteps[c])) < Math.abs(Math.log(steps / runSteps[best]))) {
                best = c;
            }
        }
        return best;
    }

    /** Idle cores one slot of the self-asked questions stands for (slot {@code j} needs {@code j} times as many); see the class comment. */
    public int slotCores() {
        if (setSlotCores > 0) {
            return setSlotCores;
        }
        if (fewestAsked != Integer.MAX_VALUE) {
            return fewestAsked;
        }
        if (medianSlotCores == 0) {
            medianSlotCores = Math.max(1, medianIdle() / SLOTS);
        }
        return medianSlotCores;
    }

    /** Asks the own questions about slots of {@code cores} idle cores each (the excess ranks' size, when the caller knows it). */
    public void slotCores(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException("slot cores must be at least 1, got " + cores);
        }
        setSlotCores = cores;
    }

    /** The broker asked about a slot needing {@code cores}: the fewest ever asked is taken for one slot's cores. */
    public void brokerAsked(double cores) {
        if (cores >= 1) {
            fewestAsked = (int) Math.min(fewestAsked, Math.round(cores));
        }
    }

    /** Resolved questions of class {@code runClass} held (the last {@value #WINDOW_DAYS} days' worth at most). */
    int resolved(int runClass) {
        return cases[runClass].size();
    }

    /** How many times a class's fit was replaced. */
    public int refits() {
        return refits;
    }

    /** Whether class {@code runClass} answers through its own fit (else through the validation calibration). */
    public boolean fitted(int runClass) {
        return coefficients[runClass] != null;
    }

    /**
     * Records that at {@code step} the forecaster answered {@code raw} (the model) and
     * {@code empirical} (E) for {@code cores} over class {@code runClass}'s run, with {@code idle}
     * of {@code totalCores} idle; it is resolved once the run is over.
     */
    public void record(long step, int runClass, int cores, double raw, double empirical, int idle, int totalCores) {
        pending.addLast(new Pending(step, runClass, cores, features(raw, empirical, cores, idle, totalCores)));
    }

    /** The calibrated odds for a question of class {@code runClass} with these answers and counts. */
    public double apply(int runClass, double raw, double empirical, double cores, int idle, int totalCores) {
        double[] b = coefficients[runClass];
        if (b == null || cores > idle) {
            return initial.apply(raw); // not fitted yet, or not a live slot (never among the questions fitted on)
        }
        float[] x = features(raw, empirical, cores, idle, totalCores);
        double z = 0;
        for (int i = 0; i < FEATURES; i++) {
            z += b[i] * x[i];
        }
        return Math.min(MAX_ODDS, Math.max(Calibration.LIMIT, 1 / (1 + Math.exp(-z))));
    }

    private static float[] features(double raw, double empirical, double cores, int idle, int totalCores) {
        double total = Math.max(1, totalCores);
        return new float[] {1, (float) logit(raw), (float) logit(empirical), (float) ((idle - cores) / total), (float) (idle / total)};
    }

    private static double logit(double p) {
        double clipped = Math.min(1 - SurvivalMetrics.EPSILON, Math.max(SurvivalMetrics.EPSILON, p));
        return Math.log(clipped / (1 - clipped));
    }

    /**
     * Step {@code step} is over, its latest idle cores {@code last} and its least {@code least}:
     * resolves the questions whose run ended with it, and refits once a day.
     */
    public void stepCompleted(long step, int last, int least) {
        int slot = (int) Math.floorMod(step, (long) ringStep.length);
        lastIdle[slot] = last;
        leastIdle[slot] = least;
        ringStep[slot] = step;
        lastCompleted = step;
        // Runs of different lengths end at different steps: look at every pending question (at most a few hundred).
        for (java.util.Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.step() + runSteps[p.runClass()] <= step) {
                resolve(p);
                it.remove();
            }
        }
        if (refitInFlight != null && step >= installAt) {
            install();
        }
        if (refittedAt == Long.MIN_VALUE) {
            refittedAt = step;
        } else if (step - refittedAt >= stepsPerDay) {
            refittedAt = step;
            medianSlotCores = Math.max(1, medianIdle() / SLOTS);
            startRefit(step);
        }
    }

    /** Whether a refit has been started and not yet installed. */
    public boolean refitPending() {
        return refitInFlight != null;
    }

    /**
     * Waits until the refit in flight, if any, has been computed (it is still installed only at its
     * step). For callers that replay samples faster than a broker receives them and want to time
     * the broker's share alone; never needed for correctness.
     */
    public void awaitRefitComputed() {
        FutureTask<double[][]> task = refitInFlight;
        if (task != null) {
            result(task);
        }
    }

    private void startRefit(long now) {
        Cases[] snapshot = new Cases[cases.length];
        double[][] start = new double[cases.length][];
        for (int c = 0; c < cases.length; c++) {
            snapshot[c] = cases[c].copy();
            start[c] = coefficients[c] == null ? null : coefficients[c].clone();
        }
        FutureTask<double[][]> task = new FutureTask<>(() -> {
            double[][] fitted = new double[snapshot.length][];
            for (int c = 0; c < snapshot.length; c++) {
                fitted[c] = fit(snapshot[c], start[c], now);
            }
            return fitted;
        });
        refitInFlight = task;
        installAt = now + INSTALL_AFTER_STEPS;
        refitExecutor.execute(task);
    }

    private void install() {
        double[][] fitted = result(refitInFlight);
        refitInFlight = null;
        for (int c = 0; c < fitted.length; c++) {
            if (fitted[c] != null) {
                coefficients[c] = fitted[c];
                refits++;
            }
        }
    }

    private static double[][] result(FutureTask<double[][]> task) {
        task.run(); // runs it here if the executor has not started it yet (a no-op once started or done)
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the recalibration's refit", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the recalibration's refit failed", e.getCause());
        }
    }

    private void resolve(Pending p) {
        int least = Integer.MAX_VALUE;
        for (long s = p.step() + 1; s <= p.step() + runSteps[p.runClass()]; s++) {
            int slot = (int) Math.floorMod(s, (long) ringStep.length);
            if (ringStep[slot] != s) {
                return; // a step with no sample: the outcome is unknown, so it teaches nothing
            }
            least = Math.min(least, leastIdle[slot]);
        }
        cases[p.runClass()].add(p.step(), p.features(), least >= p.cores());
    }

    private int medianIdle() {
        int[] seen = new int[ringStep.length];
        int n = 0;
        for (int i = 0; i < ringStep.length; i++) {
            if (ringStep[i] != Long.MIN_VALUE && lastCompleted - ringStep[i] < windowSteps) {
                seen[n++] = lastIdle[i];
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(seen, 0, n);
        return seen[n / 2];
    }

    /** The fit of one class's snapshot at step {@code now}, or null if it has too few answers of either outcome (the class keeps its fit). */
    private double[] fit(Cases all, double[] start, long now) {
        int n = all.size();
        int survived = 0;
        int live = 0;
        double[] weight = new double[n];
        for (int i = 0; i < n; i++) {
            long age = now - all.step(i);
            weight[i] = age > windowSteps ? 0 : Math.exp(-age * decayPerStep);
            if (weight[i] > 0) {
                live++;
                survived += all.survived(i) ? 1 : 0;
            }
        }
        if (live < MIN_CASES || survived < MIN_EACH || live - survived < MIN_EACH) {
            return null;
        }
        return LogisticFit.fit(all, weight, start);
    }

    /** Resolved answers of one class: a ring of the most recent, oldest first. */
    static final class Cases implements LogisticFit.Rows {
        private final float[][] x;
        private final long[] step;
        private final boolean[] y;
        private int start;
        private int size;

        Cases(int capacity) {
            x = new float[capacity][];
            step = new long[capacity];
            y = new boolean[capacity];
        }

        /** A copy holding the same rows (the feature arrays are shared: a row is never changed once added). */
        Cases copy() {
            Cases copy = new Cases(Math.max(1, size));
            int first = Math.min(size, x.length - start); // the ring's rows from start to its end, then from 0
            System.arraycopy(x, start, copy.x, 0, first);
            System.arraycopy(step, start, copy.step, 0, first);
            System.arraycopy(y, start, copy.y, 0, first);
            System.arraycopy(x, 0, copy.x, first, size - first);
            System.arraycopy(step, 0, copy.step, first, size - first);
            System.arraycopy(y, 0, copy.y, first, size - first);
            copy.size = size;
            return copy;
        }

        void add(long askedAt, float[] features, boolean survived) {
            int at = (start + size) % x.length;
            if (size == x.length) {
                start = (start + 1) % x.length;
            } else {
                size++;
            }
            x[at] = features;
            step[at] = askedAt;
            y[at] = survived;
        }

        @Override
        public int size() {
            return size;
        }

        long step(int i) {
            return step[(start + i) % x.length];
        }

        @Override
        public float[] features(int i) {
            return x[(start + i) % x.length];
        }

        @Override
        public boolean survived(int i) {
            return y[(start + i) % x.length];
        }
    }
}
