/**
 * Checkpoint stores: resumable shards' states saved at safepoints, as HDF5 files written with jhdf
 * (atomically renamed, checksummed, corrupt files rejected), or in memory for tests.
 */
package io.shatter.checkpoint;
