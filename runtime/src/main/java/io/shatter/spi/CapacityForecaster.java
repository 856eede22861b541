package io.shatter.spi;

import java.time.Duration;

/**
 * Forecasts how much excess capacity is coming, so that the broker can decide how many excess
 * workers to ask for, which shards may run on excess slots, and how finely to split range shards.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; without one the broker uses
 * {@link EmpiricalSurvivalForecaster}, which answers from how often such a margin of idle cores
 * survived such a run in the samples it has seen.
 * Calls come from the broker's single event loop, so implementations need no locking, but they
 * must be fast (well under a millisecond): they sit on the scheduling path.
 */
public interface CapacityForecaster {

    /** Feeds one observation; samples arrive in time order. */
    void observe(CapacitySample sample);

    /** Idle cores expected {@code horizon} from now (never negative). */
    double expectedIdleCores(Duration horizon);

    /**
     * Probability, from 0 to 1, that an excess slot needing one idle core is still there after
     * {@code runLength}: the per-slot question below, for one core.
     */
    default double survivalProbability(Duration runLength) {
        return survivalProbability(runLength, 1);
    }

    /**
     * Probability, from 0 to 1, that at least {@code excessCores} idle cores stay available
     * throughout the next {@code runLength}. The placement policy asks this per excess slot, with
     * the idle cores that must remain for that slot to survive given the order in which the site
     * revokes slots (a low slot, revoked last, needs fewer than the top one), and places a shard on
     * excess capacity only when the answer is high enough; range splitting asks it too. This is the
     * question the broker asks.
     */
    double survivalProbability(Duration runLength, double excessCores);

    /**
     * A new instance of the forecaster the site configured: the first {@link java.util.ServiceLoader}
     * finds, else {@link EmpiricalSurvivalForecaster}. Each caller gets its own, since a forecaster is used
     * from one thread.
     */
    static CapacityForecaster configured() {
        return java.util.ServiceLoader.load(CapacityForecaster.class).findFirst().orElseGet(EmpiricalSurvivalForecaster::new);
    }

    /** How many excess workers are worth requesting now, at most {@code maxWorkers}. */
    default int excessWorkersToRequest(int maxWorkers) {
        return (int) Math.max(0, Math.min(maxWorkers, Math.floor(expectedIdleCores(Duration.ofMinutes(30)))));
    }
}
