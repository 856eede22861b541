package io.shatter.predictor;

/** Which inputs a model uses; recorded in the model file. */
public enum FeatureSet {
    /**
     * Only what a capacity sample carries (idle and pending cores, time): learnable from Slurm
     * capacity histories and usable by the broker's {@link ModelForecaster}.
     */
    CAPACITY,
    /**
     * {@link #CAPACITY} plus the {@link QueueChannel queue-snapshot channels} (running jobs'
     * requested limits and ages, waiting jobs' sizes): SWF logs only, for offline evaluation.
     */
    QUEUE
}
