package io.shatter.predictor;

import io.shatter.spi.CapacitySample;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * The idle cores of one partition sampled at a fixed step: what the models learn from. Step
 * {@code k} is the instant {@code startEpochSeconds + k * stepSeconds}.
 *
 * <p>{@code queue} holds extra channels known at each instant from a full queue snapshot (see
 * {@link QueueChannel}); it is present for SWF logs and absent for Slurm capacity histories, whose
 * samples carry idle and pending cores only.
 *
 * @param source            where the series came from, for messages
 * @param partition         partition name
 * @param startEpochSeconds Unix time of step 0
 * @param stepSeconds       seconds between steps
 * @param totalCores        the partition's cores
 * @param zone              local time zone of the site (for time-of-day and day-of-week features)
 * @param idle              idle cores at each step, within {@code [0, totalCores]}
 * @param pending           cores asked for by jobs waiting at each step
 * @param queue             queue-snapshot channels, {@code [QueueChannel.ordinal()][step]}, or null
 * @param clampedSteps      steps at which the log's jobs used more than {@code totalCores} (idle clamped to 0)
 * @param notes             what was assumed or clamped, one sentence each, for the user
 */
public record CapacitySeries(String source, String partition, long startEpochSeconds, int stepSeconds, int totalCores,
                             ZoneId zone, int[] idle, int[] pending, float[][] queue, int clampedSteps,
                             List<String> notes) {

    /** Validates the arrays agree. */
    public CapacitySeries {
        Objects.requireNonNull(idle);
        Objects.requireNonNull(pending);
        if (idle.length != pending.length) {
            throw new IllegalArgumentException("idle and pending lengths differ");
        }
        if (stepSeconds <= 0 || totalCores <= 0) {
            throw new PredictorException("Trace " + source + " has no usable capacity (total cores " + totalCores
                    + ", step " + stepSeconds + " s).");
        }
        notes = List.copyOf(notes);
    }

    /** Number of steps. */
    public int length() {
        return idle.length;
    }

    /** Whether queue-snapshot channels are available. */
    public boolean hasQueue() {
        return queue != null;
    }

    /** Unix time of step {@code k}. */
    public long epochSecondsAt(int k) {
        return startEpochSeconds + (long) k * stepSeconds;
    }

    /** Span in days. */
    public double days() {
        return (double) length() * stepSeconds / 86400.0;
    }

    /** Step {@code k} as a capacity sample, as a Slurm monitor would have recorded it. */
    public CapacitySample sampleAt(int k) {
        return new CapacitySample(epochSecondsAt(k), partition, totalCores, idle[k], pending[k]);
    }
}
