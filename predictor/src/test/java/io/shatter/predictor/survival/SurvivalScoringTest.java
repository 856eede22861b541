package io.shatter.predictor.survival;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shatter.predictor.CapacitySeries;
import io.shatter.spi.EmpiricalSurvivalForecaster;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SurvivalScoringTest {
    private static CapacitySeries series(long seed, int steps) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] idle = new int[steps];
        int value = 30;
        for (int i = 0; i < steps; i++) {
            value = Math.max(0, Math.min(60, value + random.nextInt(-4, 5)));
            idle[i] = random.nextInt(20) == 0 ? Math.max(0, value - 15) : value; // brief dips within a run
        }
        return new CapacitySeries("walk", "excess", 0, 300, 60, ZoneOffset.UTC, idle, new int[steps], null, 0, List.of());
    }

    @Test
    void scoresEveryLiveSlotAgainstTheLeastIdleCoresOverTheRun() {
        CapacitySeries series = series(5, 4000);
        SurvivalScoring.Setup setup = new SurvivalScoring.Setup(4, 5, new int[] {10, 40}, 0.9);
        SurvivalScoring.Report report = SurvivalScoring.evaluate(series, null, setup);
        int[] idle = series.idle();
        // Sequentially: every (step, run, live slot) case of the test period, and E's answer from a replay.
        EmpiricalSurvivalForecaster e = new EmpiricalSurvivalForecaster(300, EmpiricalSurvivalForecaster.DEFAULT_HISTORY_STEPS);
        for (int r = 0; r < 2; r++) {
            int steps = new int[] {2, 8}[r];
            long cases = 0;
            long survived = 0;
            double brierE = 0;
            for (int t = 0; t < report.testTo(); t++) {
                if (r == 0) {
                    e.observe(series.sampleAt(t));
                }
                if (t < report.testFrom() || t + steps >= idle.length) {
                    continue;
                }
                int least = Integer.MAX_VALUE;
                for (int s = t + 1; s <= t + steps; s++) {
                    least = Math.min(least, idle[s]);
                }
                for (int k = 4; k <= Math.min(20, idle[t]); k += 4) {
                    cases++;
                    boolean y = least >= k;
                    survived += y ? 1 : 0;
                    if (r == 0) {
                        double p = e.survivalProbability(Duration.ofMinutes(10), k);
                        brierE += (p - (y ? 1 : 0)) * (p - (y ? 1 : 0));
                    }
                }
            }
            SurvivalMetrics.Score persistence = report.arms().get(SurvivalScoring.PERSISTENCE).perRun().get(r);
            assertEquals(cases, persistence.cases());
            assertEquals(survived, persistence.survived());
            assertEquals(1 - (double) survived / cases, persistence.brier(), 1e-12, "persistence says 1 for every live slot");
            if (r == 0) {
                assertEquals(brierE / cases, report.arms().get(SurvivalScoring.EMPIRICAL).perRun().get(0).brier(), 1e-12);
            }
        }
        assertTrue(report.skillAgainstEmpirical(SurvivalScoring.PERSISTENCE) < 0, "E beats persistence on a noisy walk");
    }
}
