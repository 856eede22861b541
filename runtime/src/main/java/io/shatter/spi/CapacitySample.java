package io.shatter.spi;

/**
 * One observation of a partition's capacity: what a Slurm capacity monitor records, what a
 * workload-log replay produces, and what a {@link CapacityForecaster} learns from.
 *
 * @param epochSeconds when the sample was taken, seconds since the Unix epoch (or since a log's start)
 * @param partition    the partition (or pool) the counts describe, for example {@code excess}
 * @param totalCores   cores the partition has
 * @param idleCores    cores nobody is using
 * @param pendingCores cores asked for by jobs still waiting (demand that will soon take idle cores)
 */
public record CapacitySample(long epochSeconds, String partition, int totalCores, int idleCores, int pendingCores) {
    public CapacitySample {
        if (totalCores < 0 || idleCores < 0 || pendingCores < 0) {
            throw new IllegalArgumentException("core counts must not be negative: " + totalCores + "/" + idleCores + "/" + pendingCores);
        }
    }
}
