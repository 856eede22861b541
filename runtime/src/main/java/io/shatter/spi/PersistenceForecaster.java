package io.shatter.spi;

import java.time.Duration;

/**
 * The baseline forecaster: tomorrow looks like today. Idle cores stay what they were at the last
 * sample, so an excess slot survives exactly when the last sample's idle cores cover it: this is
 * placement without a forecast, the baseline a model must beat.
 */
public final class PersistenceForecaster implements CapacityForecaster {
    private CapacitySample last;

    @Override
    public void observe(CapacitySample sample) {
        last = sample;
    }

    @Override
    public double expectedIdleCores(Duration horizon) {
        return last == null ? 0 : last.idleCores();
    }

    /** 1 if the last sample's idle cores cover {@code excessCores} (or nothing is known yet: do not hold work back), else 0. */
    @Override
    public double survivalProbability(Duration runLength, double excessCores) {
        return last == null || last.idleCores() >= excessCores ? 1.0 : 0.0;
    }
}
