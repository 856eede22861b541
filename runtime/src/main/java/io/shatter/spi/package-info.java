/**
 * Small interfaces that MPI, Slurm and the predictor plug in through, found with
 * {@link java.util.ServiceLoader}: transports, capacity sources and samples, capacity forecasters,
 * excess-worker pools.
 */
package io.shatter.spi;
