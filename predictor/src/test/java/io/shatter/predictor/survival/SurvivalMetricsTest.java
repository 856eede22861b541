package io.shatter.predictor.survival;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SurvivalMetricsTest {
    @Test
    void scoresAHandWorkedExample() {
        double[] p = {0.9, 0.8, 0.3, 0.8};
        boolean[] y = {true, false, false, true};
        SurvivalMetrics.Score s = SurvivalMetrics.score(p, y, 4, 0.8);
        assertEquals((0.01 + 0.64 + 0.09 + 0.04) / 4, s.brier(), 1e-12);
        assertEquals(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.8)) / 4, s.logLoss(), 1e-12);
        // Survivors 0.9 and 0.8 against failures 0.8 and 0.3: pairs won 1 + 1 + 0.5 (tie) + 1 of 4.
        assertEquals(3.5 / 4, s.auc(), 1e-12);
        assertEquals(3, s.chosenAtBar());
        assertEquals(2.0 / 3, s.realisedAtBar(), 1e-12);
        SurvivalMetrics.Bin eighties = s.bins().get(8);
        assertEquals(2, eighties.cases());
        assertEquals(0.8, eighties.meanForecast(), 1e-12);
        assertEquals(0.5, eighties.realised(), 1e-12);
        assertEquals(0.3, eighties.gap(), 1e-12);
        assertEquals(0.3, s.worstGapFrom(0.8, 2), 1e-12);
        assertEquals(0, s.worstGapFrom(0.8, 3), 1e-12);
    }

    @Test
    void aSureAnswerThatFailsCostsAFiniteLogLossAndTheLastBinHoldsOne() {
        SurvivalMetrics.Score s = SurvivalMetrics.score(new double[] {1, 1}, new boolean[] {true, false}, 2, 0.9);
        assertEquals(-(Math.log(1 - SurvivalMetrics.EPSILON) + Math.log(SurvivalMetrics.EPSILON)) / 2, s.logLoss(), 1e-12);
        assertEquals(2, s.bins().get(s.bins().size() - 1).cases());
        assertEquals(0.5, s.auc(), 1e-12);
    }

    @Test
    void calibrationRepairsOverConfidentOddsOnFreshCases() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 20_000;
        double[] p = new double[3 * n];
        boolean[] y = new boolean[3 * n];
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.5 + 0.5 * random.nextDouble();
            y[i] = random.nextDouble() < p[i] * p[i] * p[i]; // the truth is much less sure than the forecast
        }
        Calibration.Choice choice = Calibration.choose(java.util.Arrays.copyOfRange(p, 0, n / 2), java.util.Arrays.copyOfRange(y, 0, n / 2),
                java.util.Arrays.copyOfRange(p, n / 2, n), java.util.Arrays.copyOfRange(y, n / 2, n),
                java.util.Arrays.copyOfRange(p, 0, n), java.util.Arrays.copyOfRange(y, 0, n));
        assertTrue(!(choice.calibration() instanceof Calibration.Identity), choice.calibration().describe());
        double[] freshP = java.util.Arrays.copyOfRange(p, n, 3 * n);
        boolean[] freshY = java.util.Arrays.copyOfRange(y, n, 3 * n);
        double[] mapped = freshP.clone();
        for (int i = 0; i < mapped.length; i++) {
            mapped[i] = choice.calibration().apply(freshP[i]);
        }
        SurvivalMetrics.Score raw = SurvivalMetrics.score(freshP, freshY, freshP.length, 0.9);
        SurvivalMetrics.Score calibrated = SurvivalMetrics.score(mapped, freshY, mapped.length, 0.9);
        assertTrue(calibrated.logLoss() < raw.logLoss() - 0.02, raw.logLoss() + " -> " + calibrated.logLoss());
        assertTrue(raw.worstGapFrom(0.5, 500) > 0.1);
        assertTrue(calibrated.worstGapFrom(0.5, 500) < 0.03, "gap " + calibrated.worstGapFrom(0.5, 500));
    }
}
