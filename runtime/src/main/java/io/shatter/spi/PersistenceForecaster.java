package io.shatter.spi;

import java.time.Duration;

/**
 * The baseline forecaster: tomorrow looks like today. Idle cores stay what they were at the last
 * sample, and an excess slot survives as long as idle cores have not been falling.
 */
public final class PersistenceForecaster implements CapacityForecaster {
    private CapacitySample last;
    private CapacitySample previous;

    @Override
    public void observe(CapacitySample sample) {
        previous = last;
        last = sample;
    }

    @Override
    public double expectedIdleCores(Duration horizon) {
        return last == null ? 0 : last.idleCores();
    }

    @Override
    public double survivalProbability(Duration runLength) {
        if (last == null || previous == null) {
            return 1.0; // nothing known: do not hold work back
        }
        return last.idleCores() >= previous.idleCores() ? 1.0 : 0.5;
    }
}
