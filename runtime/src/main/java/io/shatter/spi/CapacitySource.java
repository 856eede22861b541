package io.shatter.spi;

import java.util.List;

/**
 * Where capacity observations come from: a Slurm monitor polling {@code sinfo}/{@code squeue},
 * or a workload-log replay in tests and simulations. Found with {@link java.util.ServiceLoader}.
 */
public interface CapacitySource extends AutoCloseable {

    /** Samples taken since the last call, oldest first; empty when nothing is new. */
    List<CapacitySample> poll() throws Exception;

    @Override
    default void close() throws Exception {
    }
}
