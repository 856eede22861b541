package io.shatter;

import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.checkpoint.CheckpointStore;
import io.shatter.checkpoint.InMemoryCheckpointStore;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.ExcessWorkerPool;
import io.shatter.spi.TransportProvider;
import io.shatter.time.Clock;
import io.shatter.transport.Transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * How to run a graph: which ranks, of which capacity classes, how they talk, how state is saved and
 * what the broker is told about the future. Immutable; build one with {@link #builder()}.
 */
public final class RunConfig {
    private final RankLayout layout;
    private final Transport transport;
    private final Transport joinChannel;
    private final long revokeEveryNanos;
    private final long revokeGraceNanos;
    private final long seed;
    private final long checkpointEveryNanos;
    private final CheckpointStore checkpointStore;
    private final CapacityForecaster forecaster;
    private final PlacementPolicy policy;
    private final ProgressListener progress;
    private final boolean recordTrace;
    private final RunStop stop;
    private final boolean shadows;
    private final boolean retainIntermediateOutputs;
    private final boolean keepCheckpoints;
    private final Clock clock;
    private final Path runDirectory;
    private final String runIdentity;
    private final ExcessCapacityFeed excessCapacityFeed;
    private final ExcessWorkerPool excessWorkers;

    private RunConfig(Builder b) {
        this.layout = b.layout;
        this.transport = b.transport != null ? b.transport : launchedTransport();
        this.joinChannel = b.joinChannel;
        this.revokeEveryNanos = b.revokeEvery == null ? 0 : b.revokeEvery.toNanos();
        this.revokeGraceNanos = b.revokeGrace != null ? b.revokeGrace.toNanos()
                : Math.min(revokeEveryNanos / 2, Duration.ofSeconds(2).toNanos());
        this.seed = b.seed;
        this.checkpointEveryNanos = b.checkpointEvery.toNanos();
        this.checkpointStore = b.checkpointStore != null ? b.checkpointStore : new InMemoryCheckpointStore();
        this.forecaster = b.forecaster != null ? b.forecaster : CapacityForecaster.configured();
        this.policy = b.policy != null ? b.policy : new DefaultPlacementPolicy();
        this.progress = b.progress;
        this.recordTrace = b.recordTrace;
        this.stop = b.stop;
        this.shadows = b.shadows;
        this.retainIntermediateOutputs = b.retainIntermediateOutputs;
        this.keepCheckpoints = b.keepCheckpoints;
        this.clock = b.clock;
        this.runDirectory = b.runDirectory;
        this.runIdentity = b.runIdentity;
        this.excessCapacityFeed = b.excessCapacityFeed;
        this.excessWorkers = b.excessWorkers;
    }

    /** The transport of the launcher that started this process (say mpirun), if a provider recognises one. */
    private static Transport launchedTransport() {
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            Transport t = provider.fromEnvironment();
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** A builder with the defaults: two reserved local ranks, nothing revoked, checkpoints in memory every 200 ms. */
    public static Builder builder() {
        return new Builder();
    }

    /** The worker ranks: classes, cores, capabilities. */
    public RankLayout layout() {
        return layout;
    }

    /** The transport, or null for local ranks in this JVM. */
    public Transport transport() {
        return transport;
    }

    /**
     * The broker's end of the join channel that the layout's join slots are reached through, or null
     * (then join slots stay vacant unless the transport itself reaches them).
     */
    public Transport joinChannel() {
        return joinChannel;
    }

    /** Interval between revocations of a random excess rank (0: never); restored after the same interval. */
    public long revokeEveryNanos() {
        return revokeEveryNanos;
    }

    /** Grace a revoked rank's attempts get to save their state. */
    public long revokeGraceNanos() {
        return revokeGraceNanos;
    }

    /** Seed for every random choice the runtime makes (which rank to revoke). */
    public long seed() {
        return seed;
    }

    /** Default checkpoint interval of resumable shards. */
    public long checkpointEveryNanos() {
        return checkpointEveryNanos;
    }

    /** Where checkpoints go. */
    public CheckpointStore checkpointStore() {
        return checkpointStore;
    }

    /** The capacity forecaster. */
    public CapacityForecaster forecaster() {
        return forecaster;
    }

    /** The placement policy. */
    public PlacementPolicy policy() {
        return policy;
    }

    /** Who hears about progress. */
    public ProgressListener progress() {
        return progress;
    }

    /** What stops the run on request (Ctrl-C), or null. */
    public RunStop stop() {
        return stop;
    }

    /** Whether to record the timeline of attempts. */
    public boolean recordTrace() {
        return recordTrace;
    }

    /** Whether CRITICAL shards get shadow attempts on spare or excess capacity. */
    public boolean shadows() {
        return shadows;
    }

    /** Whether outputs that every consumer has read are kept for {@link RunResult#get} (default true). */
    public boolean retainIntermediateOutputs() {
        return retainIntermediateOutputs;
    }

    /** Whether the checkpoints of a run that finished stay in the store (else they are removed when it finishes). */
    public boolean keepCheckpoints() {
        return keepCheckpoints;
    }

    /** The broker's clock. */
    public Clock clock() {
        return clock;
    }

    /** Where the broker keeps its journal so that a killed run resumes; null (the default): no journal. */
    public Path runDirectory() {
        return runDirectory;
    }

    /** What besides the graph's structure decides the outputs (the program's arguments), checked on resume. */
    public String runIdentity() {
        return runIdentity;
    }

    /** What drives the excess ranks' revocations and restorations, or null (see {@link ExcessCapacityFeed}). */
    public ExcessCapacityFeed excessCapacityFeed() {
        return excessCapacityFeed;
    }

    /** Excess worker jobs whose samples feed the broker's forecaster and whose count the broker decides, or null. */
    public ExcessWorkerPool excessWorkers() {
        return excessWorkers;
    }

    /** Builds a {@link RunConfig}. */
    public static final class Builder {
        private RankLayout layout = RankLayout.of(2, 0, 0, 1);
        private Transport transport;
        private Transport joinChannel;
        private Duration revokeEvery;
        private Duration revokeGrace;
        private long seed = 1;
        private Duration checkpointEvery = Duration.ofMillis(200);
        private CheckpointStore checkpointStore;
        private CapacityForecaster forecaster;
        private PlacementPolicy policy;
        private ProgressListener progress = ProgressListener.NONE;
        private boolean recordTrace;
        private RunStop stop;
        private boolean shadows = true;
        private boolean retainIntermediateOutputs = true;
        private boolean keepCheckpoints;
        private Clock clock = Clock.SYSTEM;
        private Path runDirectory;
        private String runIdentity = "";
        private ExcessCapacityFeed excessCapacityFeed;
        private ExcessWorkerPool excessWorkers;

        private Builder() {
        }

        /** The worker ranks. */
        public Builder layout(RankLayout layout) {
            this.layout = Objects.requireNonNull(layout);
            return this;
        }

        /** Reserved, excess and spare local ranks with one core each. */
        public Builder ranks(int reserved, int excess, int spare) {
            return layout(RankLayout.of(reserved, excess, spare, 1));
        }

        /**
         * Run over this transport instead of local ranks; its size must be the layout's worker ranks
         * plus the broker. Default: the transport of the launcher that started this process, found
         * by a {@link TransportProvider} (with shatter-mpi on the classpath, Open MPI's mpirun), else
         * local ranks.
         */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /**
         * The broker's end of a join channel (for example the Slurm module's {@code JoinServer}) whose
         * ranks start after the fixed ranks: the layout's join slots are reached through it. Rank 0
         * only; the run closes it when it ends.
         */
        public Builder joinChannel(Transport joinChannel) {
            this.joinChannel = joinChannel;
            return this;
        }

        /** Revoke a random excess rank at this interval and restore it after the same interval. */
        public Builder revokeEvery(Duration interval) {
            if (interval != null && (interval.isNegative() || interval.isZero())) {
                throw new IllegalArgumentException("the revocation interval must be positive, got " + interval);
            }
            this.revokeEvery = interval;
            return this;
        }

        /** Grace for revoked attempts (default: half the revocation interval, at most 2 s). */
        public Builder revokeGrace(Duration grace) {
            this.revokeGrace = grace;
            return this;
        }

        /** Seed for the runtime's random choices. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Default checkpoint interval of resumable shards. */
        public Builder checkpointEvery(Duration interval) {
            this.checkpointEvery = Objects.requireNonNull(interval);
            return this;
        }

        /** Where checkpoints go (default: the broker's memory). */
        public Builder checkpointStore(CheckpointStore store) {
            this.checkpointStore = store;
            return this;
        }

        /** The capacity forecaster (default: the first one {@link ServiceLoader} finds, else the empirical survival baseline, {@link io.shatter.spi.EmpiricalSurvivalForecaster}). */
        public Builder forecaster(CapacityForecaster forecaster) {
            this.forecaster = forecaster;
            return this;
        }

        /** The placement policy (default: {@link DefaultPlacementPolicy}). */
        public Builder policy(PlacementPolicy policy) {
            this.policy = policy;
            return this;
        }

        /** Who hears about progress. */
        public Builder progress(ProgressListener progress) {
            this.progress = Objects.requireNonNull(progress);
            return this;
        }

        /**
         * Whether CRITICAL shards get a second (shadow) attempt on free spare, else excess, cores; the
         * first attempt to finish commits and the other is cancelled. On by default.
         */
        public Builder shadows(boolean enabled) {
            this.shadows = enabled;
            return this;
        }

        /** Lets {@code stop} end the run cleanly before it finishes (see {@link RunStop}). */
        public Builder stop(RunStop stop) {
            this.stop = stop;
            return this;
        }

        /** Record the timeline of attempts for {@link RunResult#timeline()}. */
        public Builder recordTrace(boolean record) {
            this.recordTrace = record;
            return this;
        }

        /** Keep (true, the default) or drop outputs once every consumer has committed; sinks are always kept. */
        /**
         * Keeps the checkpoints of a run that finished (default: removed once every shard is
         * committed, as nothing will resume from them; a failed or stopped run keeps them always).
         */
        public Builder keepCheckpoints(boolean keep) {
            this.keepCheckpoints = keep;
            return this;
        }

        public Builder retainIntermediateOutputs(boolean retain) {
            this.retainIntermediateOutputs = retain;
            return this;
        }

        /** The broker's clock (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * Keep a journal of committed results in this directory (created if needed), so that a run
         * killed and started again with the same graph and directory resumes: committed shards are
         * not rerun, running resumable shards resume from their checkpoints if the
         * {@link #checkpointStore checkpoint store} is on disk. A directory holding an unfinished run
         * of another graph is refused with a {@link RunDirectoryException}; one holding a finished run
         * starts a new run. Null (the default): no journal.
         */
        public Builder runDirectory(Path directory) {
            this.runDirectory = directory;
            return this;
        }

        /**
         * What besides the graph's structure decides the outputs, such as the program's arguments
         * (default ""): a journal written under another identity is refused instead of resumed, since
         * the same graph with other parameters computes other values.
         */
        public Builder runIdentity(String identity) {
            this.runIdentity = Objects.requireNonNull(identity);
            return this;
        }

        /** Revoke and restore excess ranks as a capacity source's idle cores fall and rise, feeding the forecaster. */
        public Builder excessCapacityFeed(ExcessCapacityFeed feed) {
            this.excessCapacityFeed = feed;
            return this;
        }

        /** Excess worker jobs: their capacity samples reach the broker's forecaster, which decides how many to request. */
        public Builder excessWorkers(ExcessWorkerPool pool) {
            this.excessWorkers = pool;
            return this;
        }

        /** The configuration. */
        public RunConfig build() {
            return new RunConfig(this);
        }
    }
}
