package io.shatter.predictor;

import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;

import java.time.Duration;

/**
 * Knows the trace's future: a slot survives exactly when the idle cores stay at least its cores
 * from the last sample's step through the run (one step more, since a run starts within a step).
 */
public final class OracleForecaster implements CapacityForecaster {
    private final CapacitySeries series;
    private int step;

    public OracleForecaster(CapacitySeries series) {
        this.series = series;
    }

    @Override
    public void observe(CapacitySample sample) {
        step = (int) ((sample.epochSeconds() - series.startEpochSeconds()) / series.stepSeconds());
    }

    @Override
    public double expectedIdleCores(Duration horizon) {
        int at = (int) Math.min(series.length() - 1, step + horizon.toSeconds() / series.stepSeconds());
        return series.idle()[at];
    }

    @Override
    public double survivalProbability(Duration runLength, double excessCores) {
        long steps = (runLength.toSeconds() + series.stepSeconds() - 1) / series.stepSeconds() + 1;
        int last = (int) Math.min(series.length() - 1, step + steps);
        for (int k = step; k <= last; k++) {
            if (series.idle()[k] < excessCores) {
                return 0;
            }
        }
        return 1;
    }
}
