package io.shatter.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmpiricalSurvivalForecasterTest {
    private static final int STEP = 300;

    /** A seeded random walk of idle cores in [0, 100]. */
    private static int[] walk(long seed, int steps) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] idle = new int[steps];
        int value = 50;
        for (int i = 0; i < steps; i++) {
            value = Math.max(0, Math.min(100, value + random.nextInt(-6, 7)));
            idle[i] = value;
        }
        return idle;
    }

    /** The definition, sequentially: the share of whole windows in the last {@code history} steps whose drop was at most the margin. */
    private static double bruteForce(int[] idle, int seen, int history, int runSteps, double cores) {
        double margin = idle[seen - 1] - cores;
        if (margin < 0) {
            return 0;
        }
        int oldest = Math.max(0, seen - history);
        int windows = 0;
        int survived = 0;
        for (int start = oldest; start + runSteps <= seen - 2; start++) { // the last step seen is not complete yet
            int least = Integer.MAX_VALUE;
            for (int s = start + 1; s <= start + runSteps; s++) {
                least = Math.min(least, idle[s]);
            }
            windows++;
            if (idle[start] - least <= margin) {
                survived++;
            }
        }
        return (survived + 0.5) / (windows + 1.0);
    }

    @Test
    void answersTheShareOfPastWindowsThatKeptTheMargin() {
        int[] idle = walk(7, 3000);
        int history = 1000;
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster(STEP, history);
        for (int i = 0; i < idle.length; i++) {
            forecaster.observe(new CapacitySample((long) i * STEP, "excess", 100, idle[i], 0));
            if (i > 0 && i % 97 == 0) { // run lengths asked for the first time and kept up to date afterwards
                for (int minutes : new int[] {10, 40, 120}) {
                    for (double cores : new double[] {1, 10, 25, 60}) {
                        assertEquals(bruteForce(idle, i + 1, history, minutes / 5, cores),
                                forecaster.survivalProbability(Duration.ofMinutes(minutes), cores), 1e-12,
                                "step " + i + ", " + minutes + " min, " + cores + " cores");
                    }
                }
            }
        }
    }

    @Test
    void aDipBetweenTwoStepsCountsAgainstSurvival() {
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster(STEP, 100);
        for (int i = 0; i < 40; i++) {
            forecaster.observe(new CapacitySample((long) i * STEP, "excess", 100, 50, 0));
            forecaster.observe(new CapacitySample((long) i * STEP + 100, "excess", 100, i % 4 == 0 ? 10 : 50, 0));
            forecaster.observe(new CapacitySample((long) i * STEP + 200, "excess", 100, 50, 0));
        }
        // Every 10-minute window (two steps) starting on a step before a dip saw 40 cores go: a 20-core margin survives only the others.
        double odds = forecaster.survivalProbability(Duration.ofMinutes(10), 30);
        assertTrue(odds > 0.4 && odds < 0.6, "odds " + odds);
        assertTrue(forecaster.survivalProbability(Duration.ofMinutes(10), 5) > 0.95);
    }

    @Test
    void withNoWholeWindowItAnswersLikePersistence() {
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster();
        assertEquals(1.0, forecaster.survivalProbability(Duration.ofHours(2), 4));
        forecaster.observe(new CapacitySample(0, "excess", 100, 3, 0));
        assertEquals(0.0, forecaster.survivalProbability(Duration.ofHours(2), 4));
        assertEquals(1.0, forecaster.survivalProbability(Duration.ofHours(2), 3));
        assertEquals(0, forecaster.windowsSeen(Duration.ofHours(2)));
    }

    @Test
    void missingStepsCarryTheLastSampleAndOldWindowsAreForgotten() {
        EmpiricalSurvivalForecaster forecaster = new EmpiricalSurvivalForecaster(STEP, 20);
        forecaster.observe(new CapacitySample(0, "excess", 100, 90, 0));
        forecaster.observe(new CapacitySample(STEP, "excess", 100, 10, 0)); // an 80-core drop
        forecaster.observe(new CapacitySample(2 * STEP, "excess", 100, 90, 0));
        assertTrue(forecaster.survivalProbability(Duration.ofMinutes(5), 30) < 0.6);
        forecaster.observe(new CapacitySample(40L * STEP, "excess", 100, 90, 0)); // a long gap, carried flat
        assertEquals(18, forecaster.windowsSeen(Duration.ofMinutes(5)));
        assertEquals(18.5 / 19, forecaster.survivalProbability(Duration.ofMinutes(5), 30), 1e-12);
    }

    @Test
    void buildsFromRecordedSamplesOrAnIdleSeriesAlike() {
        int[] idle = walk(11, 600);
        List<CapacitySample> samples = new ArrayList<>();
        for (int i = 0; i < idle.length; i++) {
            samples.add(new CapacitySample(1_700_000_000L + (long) i * STEP, "excess", 100, idle[i], 0));
        }
        EmpiricalSurvivalForecaster fromSamples = EmpiricalSurvivalForecaster.of(samples);
        EmpiricalSurvivalForecaster fromSeries = EmpiricalSurvivalForecaster.ofIdleSeries(idle, 100, 1_700_000_000L, STEP, "excess");
        for (double cores : new double[] {1, 20, 40}) {
            assertEquals(fromSamples.survivalProbability(Duration.ofMinutes(40), cores),
                    fromSeries.survivalProbability(Duration.ofMinutes(40), cores));
        }
    }

    @Test
    void isTheBrokersDefaultWhenNoForecasterIsConfigured() {
        assertInstanceOf(EmpiricalSurvivalForecaster.class, CapacityForecaster.configured());
    }
}
