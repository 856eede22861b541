package io.shatter.cli;

import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.checkpoint.Hdf5CheckpointStore;
import io.shatter.transport.Transport;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Options every workload shares: the ranks, revocations, outputs and verification. */
public final class RunOptions {
    // Fields are set by picocli; workloads read them through the accessors below.
    @Option(names = "--ranks", paramLabel = "N", converter = Numbers.Ranks.class, description = "Worker ranks (threads of this JVM on local ranks); the broker runs beside them as rank 0. "
            + "Default: the machine's cores, at least 2; under mpirun, the world size - 1.")
    Integer ranks;

    @Option(names = "--mpj", description = "Run the ranks under MPJ Express (multicore device: --ranks workers plus the broker, as threads of one JVM started by MPJ's starter).")
    boolean mpj;

    @Option(names = "--reserved", paramLabel = "N", converter = Numbers.RankCount.class, description = "How many of the ranks are reserved capacity (default: those not excess or spare).")
    Integer reserved;

    @Option(names = "--excess", paramLabel = "N", converter = Numbers.RankCount.class, description = "How many ranks are excess capacity, which may be revoked (default: 0).")
    int excess;

    @Option(names = "--spare", paramLabel = "N", converter = Numbers.RankCount.class, description = "How many ranks are spare, kept free for shadow attempts (default: 0).")
    int spare;

    @Option(names = "--cores-per-rank", paramLabel = "N", converter = Numbers.Cores.class, description = "Cores each rank offers (default: ${DEFAULT-VALUE}).")
    int coresPerRank = 1;

    @Option(names = "--revoke-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Revoke a random excess rank at this interval (e.g. 50ms) and restore it after the same interval.")
    Duration revokeEvery;

    @Option(names = "--revoke-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Grace a revoked rank's shards get to save their state (default: half of --revoke-every, at most 2s).")
    Duration revokeGrace;

    @Option(names = "--checkpoint-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often resumable shards save their state (default: 200ms).")
    Duration checkpointEvery = Duration.ofMillis(200);

    @Option(names = "--seed", paramLabel = "S", description = "Seed for random choices (which rank to revoke) and for the workload's data (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Directory for the run's files and its journal: a run killed "
            + "and started again with the same command and directory resumes without recomputing committed shards (default: ${DEFAULT-VALUE}).")
    Path runDir = Path.of("shatter-run");

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Directory for the HDF5 checkpoints of resumable shards (default: RUN_DIR/checkpoints).")
    Path checkpointDir;

    @Option(names = "--keep-checkpoints", description = "Keep the checkpoints of a run that finished (default: removed once every"
            + " shard is committed; a failed or stopped run keeps them to resume from).")
    boolean keepCheckpoints;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write the run summary as JSON to FILE.")
    Path summaryJson;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write the timeline as Chrome trace event JSON (open it in Perfetto).")
    Path trace;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a self-contained HTML report of the run to FILE: "
            + "timeline, capacity and busy cores, lost work, checkpoints, slowest shards (opens in a browser without network).")
    Path report;

    @Option(names = "--verify", description = "Check the result against a sequential computation and print a 'verified:' line.")
    boolean verify;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    @Option(names = "--debug", description = "Show stack traces of errors.")
    boolean debug;

    /** The seed for random choices and workload data. */
    public long seed() {
        return seed;
    }

    /** Cores each worker rank offers. */
    public int coresPerRank() {
        return coresPerRank;
    }

    /** The run's directory. */
    public Path runDir() {
        return runDir;
    }

    /** Worker ranks: as given, or from the MPI world, or the machine's cores (at least 2). */
    int workerRanks() {
        Transport transport = MpiSession.transport();
        if (transport != null) {
            int workers = transport.size() - 1;
            if (ranks != null && ranks != workers) {
                throw new UserException("--ranks " + ranks + " does not match the " + workers + " worker ranks " + MpiSession.transport().libraryName()
                        + " started (" + transport.size() + " processes: rank 0 is the broker); drop --ranks or start "
                        + (ranks + 1) + " processes (mpirun -np " + (ranks + 1) + ")");
            }
            if (workers < 1) {
                throw new UserException("an MPI run needs the broker and at least one worker rank: start at least 2 processes (mpirun -np 2)");
            }
            return workers;
        }
        return ranks != null ? ranks : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** The rank layout these options describe, or a {@link UserException} saying what does not add up. */
    RankLayout layout() {
        int ranks = workerRanks();
        if (ranks < 1) {
            throw new UserException("--ranks must be at least 1, got " + ranks);
        }
        if (excess < 0 || spare < 0 || (reserved != null && reserved < 0)) {
            throw new UserException("--reserved, --excess and --spare must not be negative");
        }
        int reservedRanks = reserved != null ? reserved : ranks - excess - spare;
        if (reservedRanks < 0 || reservedRanks + excess + spare != ranks) {
            throw new UserException("--reserved " + reservedRanks + " + --excess " + excess + " + --spare " + spare
                    + " must add up to --ranks " + ranks + "; adjust one of them");
        }
        if (reservedRanks + excess == 0) {
            throw new UserException("at least one rank must be reserved or excess: spare ranks only run shadows");
        }
        if (revokeEvery != null && excess == 0) {
            throw new UserException("--revoke-every revokes excess ranks, but there are none; add --excess N");
        }
        if (coresPerRank < 1) {
            throw new UserException("--cores-per-rank must be at least 1, got " + coresPerRank);
        }
        return RankLayout.of(reservedRanks, excess, spare, coresPerRank);
    }

    /** The checkpoint directory: {@code --checkpoint-dir}, else {@code checkpoints} in the run directory. */
    public Path checkpointDir() {
        return checkpointDir != null ? checkpointDir : runDir.resolve("checkpoints");
    }

    /** A run configuration from these options (the caller adds progress and trace settings). */
    RunConfig.Builder config() {
        RankLayout layout = layout(); // wrong options are reported before anything is created on disk
        // Output files are checked now: an hour of work must not end in "cannot write the summary".
        OutputFiles.checkWritable("--summary-json", summaryJson);
        OutputFiles.checkWritable("--trace", trace);
        OutputFiles.checkWritable("--report", report);
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new UserException("--run-dir " + runDir + " is a file; name a directory (it is created if missing)");
        }
        Hdf5CheckpointStore checkpoints;
        try {
            checkpoints = new Hdf5CheckpointStore(checkpointDir());
        } catch (IOException e) {
            throw new UserException(e.getMessage() + (checkpointDir == null
                    ? " (It is RUN_DIR/checkpoints by default: pass a writable --run-dir, or --checkpoint-dir.)"
                    : " (--checkpoint-dir)"));
        }
        return RunConfig.builder().layout(layout).transport(MpiSession.transport()).revokeEvery(revokeEvery).revokeGrace(revokeGrace)
                .seed(seed).checkpointEvery(checkpointEvery).recordTrace(trace != null || report != null)
                .checkpointStore(checkpoints).keepCheckpoints(keepCheckpoints).runDirectory(runDir);
    }
}
