package io.shatter.predictor.survival;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StackedRecalibrationTest {
    /** 5-minute steps: runs of 10, 40 and 120 minutes are 2, 8 and 24 steps. */
    private static final int STEP = 300;
    private static final int DAY = 288;

    @Test
    void resolvesEachQuestionAgainstTheLeastIdleCoresOverItsRun() {
        StackedRecalibration stack = new StackedRecalibration(STEP, new Calibration.Identity());
        assertEquals(2, stack.runSteps(0));
        stack.record(10, 0, 5, 0.9, 0.9, 9, 100);
        stack.stepCompleted(10, 9, 9);
        stack.stepCompleted(11, 9, 4); // a dip below the slot's 5 cores within the run, back up by the step's end
        assertEquals(0, stack.resolved(0));
        stack.stepCompleted(12, 9, 9);
        assertEquals(1, stack.resolved(0));
        stack.record(20, 0, 5, 0.9, 0.9, 9, 100);
        stack.stepCompleted(21, 9, 9);
        stack.stepCompleted(23, 9, 9); // step 22 had no sample: the outcome is unknown and not learnt from
        assertEquals(1, stack.resolved(0));
    }

    @Test
    void runLengthsGoToTheNearestClass() {
        StackedRecalibration stack = new StackedRecalibration(STEP, new Calibration.Identity());
        assertEquals(0, stack.classOf(1));
        assertEquals(1, stack.classOf(6));
        assertEquals(2, stack.classOf(20));
        assertEquals(2, stack.classOf(1000));
    }

    @Test
    void learnsFromEWhenTheModelKnowsNothingAndCapsTheOdds() {
        SplittableRandom random = new SplittableRandom(7);
        StackedRecalibration stack = new StackedRecalibration(STEP, new Calibration.Identity());
        // Every third step one 2-step question: the model's odds are noise, E's are right up to a known distortion.
        double raw = 0.95;
        for (long step = 0; step < 40L * DAY; step += 3) {
            double e = 0.3 + 0.69 * random.nextDouble();
            double noise = 0.5 + 0.49 * random.nextDouble();
            boolean survives = random.nextDouble() < truth(e);
            if (step == 30L * DAY) {
                assertTrue(stack.fitted(0));
            }
            stack.record(step, 0, 5, noise, e, 50, 100);
            stack.stepCompleted(step, 50, 50);
            stack.stepCompleted(step + 1, 50, survives ? 50 : 0);
            stack.stepCompleted(step + 2, 50, 50);
        }
        assertTrue(stack.refits() > 0);
        assertFalse(stack.fitted(1), "runs of another length keep the validation calibration");
        assertEquals(raw, stack.apply(1, raw, 0.5, 5, 50, 100), 1e-12);
        for (double e : new double[] {0.4, 0.6, 0.8, 0.9}) {
            assertEquals(truth(e), stack.apply(0, raw, e, 5, 50, 100), 0.04, "E at " + e);
        }
        assertEquals(StackedRecalibration.MAX_ODDS, stack.apply(0, raw, 0.9999, 5, 50, 100), 1e-12);
        assertEquals(raw, stack.apply(0, raw, 0.9, 60, 50, 100), 1e-12, "a slot that is not live is not what it was fitted on");
    }

    @Test
    void answersThroughTheValidationCalibrationUntilItHasEnoughAnswers() {
        Calibration validation = new Calibration.Platt(0.5, -0.2);
        StackedRecalibration stack = new StackedRecalibration(STEP, validation);
        for (long step = 0; step < 2L * DAY; step += 3) {
            stack.record(step, 0, 5, 0.9, 0.9, 50, 100);
            stack.stepCompleted(step, 50, 50);
            stack.stepCompleted(step + 1, 50, 50);
            stack.stepCompleted(step + 2, 50, 50);
        }
        assertFalse(stack.fitted(0), "every answer came true: nothing to fit a regression on");
        assertEquals(validation.apply(0.9), stack.apply(0, 0.9, 0.9, 5, 50, 100), 1e-12);
    }

    @Test
    void slotCoresAreSetOrLearntFromTheBrokersQuestions() {
        StackedRecalibration stack = new StackedRecalibration(STEP, new Calibration.Identity());
        for (long step = 0; step < 10; step++) {
            stack.stepCompleted(step, 60, 60);
        }
        assertEquals(10, stack.slotCores(), "median idle / 6");
        stack.brokerAsked(9);
        stack.brokerAsked(3);
        stack.brokerAsked(6);
        assertEquals(3, stack.slotCores(), "the lowest excess rank's own cores");
        stack.slotCores(4);
        assertEquals(4, stack.slotCores());
    }

    @Test
    void theDailyRefitRunsOnTheExecutorAndIsInstalledAtAFixedStepWithTheSameAnswersAsOnTheCallersThread() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.atomic.AtomicInteger handedOver = new java.util.concurrent.atomic.AtomicInteger();
            StackedRecalibration inline = new StackedRecalibration(STEP, new Calibration.Identity(), Runnable::run);
            StackedRecalibration offThread = new StackedRecalibration(STEP, new Calibration.Identity(), task -> {
                handedOver.incrementAndGet();
                background.execute(task);
            });
            SplittableRandom random = new SplittableRandom(11);
            int compared = 0;
            for (long step = 0; step < 12L * DAY; step += 3) {
                double e = 0.3 + 0.69 * random.nextDouble();
                double raw = 0.5 + 0.49 * random.nextDouble();
                boolean survives = random.nextDouble() < truth(e);
                for (StackedRecalibration stack : List.of(inline, offThread)) {
                    stack.record(step, 0, 5, raw, e, 50, 100);
                    stack.stepCompleted(step, 50, 50);
                    stack.stepCompleted(step + 1, 50, survives ? 50 : 0);
                    stack.stepCompleted(step + 2, 50, 50);
                }
                // Same steps, same answers: the fit's thread and timing change nothing.
                assertEquals(inline.fitted(0), offThread.fitted(0), "step " + step);
                assertEquals(inline.refits(), offThread.refits(), "step " + step);
                assertEquals(inline.apply(0, raw, e, 5, 50, 100), offThread.apply(0, raw, e, 5, 50, 100), 0.0, "step " + step);
                compared += inline.fitted(0) ? 1 : 0;
            }
            assertTrue(compared > DAY, "most steps compared fitted answers, got " + compared);
            assertTrue(offThread.refits() >= 5, "refitted daily from day 6 (500 answers), got " + offThread.refits());
            assertEquals(11, handedOver.get(), "one refit a day handed to the executor (days 1 to 11)");
        } finally {
            background.shutdownNow();
            assertTrue(background.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRefitIsInvisibleUntilItsInstallStepAndRunsThereIfTheExecutorNeverStartedIt() {
        List<Runnable> queued = new ArrayList<>();
        StackedRecalibration stack = new StackedRecalibration(STEP, new Calibration.Identity(), queued::add);
        SplittableRandom random = new SplittableRandom(3);
        long step = 0;
        // A day of 2-step questions (3 a step), both outcomes, then the day's first step snapshots them.
        for (; step <= DAY; step++) {
            for (int cores = 5; cores <= 15; cores += 5) {
                stack.record(step, 0, cores, 0.9, 0.3 + 0.6 * random.nextDouble(), 50, 100);
            }
            stack.stepCompleted(step, 50, random.nextDouble() < 0.7 ? 50 : 0);
        }
        assertEquals(1, queued.size(), "the day's refit was handed to the executor");
        assertTrue(stack.refitPending());
        assertFalse(stack.fitted(0), "not installed at the step that snapshot it");
        assertEquals(0.9, stack.apply(0, 0.9, 0.5, 5, 50, 100), 1e-12, "still the validation calibration");
        long installStep = step - 1 + StackedRecalibration.INSTALL_AFTER_STEPS;
        stack.stepCompleted(installStep, 50, 50); // the executor never ran it: the install step runs it itself
        assertFalse(stack.refitPending());
        assertTrue(stack.fitted(0));
        assertEquals(1, stack.refits());
        queued.get(0).run(); // the executor's late run of a finished task does nothing
        assertEquals(1, stack.refits());
    }

    private static double truth(double e) {
        return 1 / (1 + Math.exp(-(2 * Math.log(e / (1 - e)) - 0.5)));
    }
}
