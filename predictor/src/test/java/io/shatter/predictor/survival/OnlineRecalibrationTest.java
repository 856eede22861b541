package io.shatter.predictor.survival;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OnlineRecalibrationTest {
    @Test
    void resolvesEachAnswerAgainstTheLeastIdleCoresOverItsRun() {
        OnlineRecalibration recalibration = new OnlineRecalibration(new Calibration.Identity());
        recalibration.asked(10, 3, 5, 0.9);
        recalibration.asked(10, 3, 5, 0.9); // the same question twice in a step counts once
        recalibration.stepCompleted(10, 9);
        recalibration.stepCompleted(11, 9);
        recalibration.stepCompleted(12, 4); // a dip in the middle of the run
        assertEquals(0, recalibration.resolved());
        recalibration.stepCompleted(13, 9);
        assertEquals(1, recalibration.resolved());
        recalibration.asked(20, 2, 5, 0.9);
        recalibration.stepCompleted(21, 9);
        recalibration.stepCompleted(23, 9); // step 22 had no sample: the outcome is unknown and not learnt from
        assertEquals(1, recalibration.resolved());
    }

    @Test
    void learnsThatOverConfidentOddsComeTrueLessOften() {
        SplittableRandom random = new SplittableRandom(9);
        OnlineRecalibration recalibration = new OnlineRecalibration(new Calibration.Identity());
        int idle = 50;
        double[] truth = new double[40_000];
        int asked = 0;
        // Each step: one question over one step with raw odds p, which in truth come true with p^4.
        for (long step = 0; step < truth.length; step++) {
            double p = 0.6 + 0.4 * random.nextDouble();
            boolean survives = random.nextDouble() < p * p * p * p;
            recalibration.asked(step, 1, 10, p);
            asked++;
            recalibration.stepCompleted(step, idle);
            recalibration.stepCompleted(step + 1, survives ? idle : 5);
        }
        assertTrue(asked > OnlineRecalibration.WINDOW);
        assertTrue(recalibration.refits() > 0);
        Calibration learnt = recalibration.current(1);
        assertTrue(recalibration.current(8) instanceof Calibration.Identity, "runs of another length keep theirs");
        for (double p : new double[] {0.7, 0.8, 0.9, 0.95}) {
            assertEquals(p * p * p * p, learnt.apply(p), 0.05, "at " + p);
        }
    }
}
