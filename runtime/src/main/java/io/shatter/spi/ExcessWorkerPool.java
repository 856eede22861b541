package io.shatter.spi;

import java.util.function.Consumer;

/**
 * Excess workers: batch jobs on the excess partition that join the run (Slurm's is
 * {@code io.shatter.slurm.ExcessWorkerManager}). The pool samples the partition's capacity and
 * carries out the broker's decisions; it decides nothing itself. Its samples reach the broker's
 * own forecaster, which steers placement, range splitting and how many workers to request.
 */
public interface ExcessWorkerPool extends AutoCloseable {

    /** Worker jobs at most at once (the run's join slots). */
    int maxWorkers();

    /** Cores each worker job asks for. */
    int coresEach();

    /** Starts sampling the excess partition on the pool's own thread; each sample goes to {@code samples}, in time order. */
    void start(Consumer<CapacitySample> samples);

    /** Submit up to {@code workers} more worker jobs now, never more than {@link #maxWorkers()} at once. Must not block. */
    void request(int workers);

    /** Stops sampling and cancels every worker job of the run. */
    @Override
    void close();
}
