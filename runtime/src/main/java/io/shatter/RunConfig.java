package io.shatter;

import io.shatter.broker.DefaultPlacementPolicy;
import io.shatter.broker.PlacementPolicy;
import io.shatter.checkpoint.CheckpointStore;
import io.shatter.checkpoint.InMemoryCheckpointStore;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.PersistenceForecaster;
import io.shatter.time.Clock;
import io.shatter.transport.Transport;

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
    private final long revokeEveryNanos;
    private final long revokeGraceNanos;
    private final long seed;
    private final long checkpointEveryNanos;
    private final CheckpointStore checkpointStore;
    private final CapacityForecaster forecaster;
    private final PlacementPolicy policy;
    private final ProgressListener progress;
    private final boolean recordTrace;
    private final boolean retainIntermediateOutputs;
    private final Clock clock;
    private final ExcessCapacityFeed excessCapacityFeed;

    private RunConfig(Builder b) {
        this.layout = b.layout;
        this.transport = b.transport;
        this.revokeEveryNanos = b.revokeEvery == null ? 0 : b.revokeEvery.toNanos();
        this.revokeGraceNanos = b.revokeGrace != null ? b.revokeGrace.toNanos()
                : Math.min(revokeEveryNanos / 2, Duration.ofSeconds(2).toNanos());
        this.seed = b.seed;
        this.checkpointEveryNanos = b.checkpointEvery.toNanos();
        this.checkpointStore = b.checkpointStore != null ? b.checkpointStore : new InMemoryCheckpointStore();
        this.forecaster = b.forecaster != null ? b.forecaster
                : ServiceLoader.load(CapacityForecaster.class).findFirst().orElseGet(PersistenceForecaster::new);
        this.policy = b.policy != null ? b.policy : new DefaultPlacementPolicy();
        this.progress = b.progress;
        this.recordTrace = b.recordTrace;
        this.retainIntermediateOutputs = b.retainIntermediateOutputs;
        this.clock = b.clock;
        this.excessCapacityFeed = b.excessCapacityFeed;
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

    /** Whether to record the timeline of attempts. */
    public boolean recordTrace() {
        return recordTrace;
    }

    /** Whether outputs that every consumer has read are kept for {@link RunResult#get} (default true). */
    public boolean retainIntermediateOutputs() {
        return retainIntermediateOutputs;
    }

    /** The broker's clock. */
    public Clock clock() {
        return clock;
    }

    /** What drives the excess ranks' revocations and restorations, or null (see {@link ExcessCapacityFeed}). */
    public ExcessCapacityFeed excessCapacityFeed() {
        return excessCapacityFeed;
    }

    /** Builds a {@link RunConfig}. */
    public static final class Builder {
        private RankLayout layout = RankLayout.of(2, 0, 0, 1);
        private Transport transport;
        private Duration revokeEvery;
        private Duration revokeGrace;
        private long seed = 1;
        private Duration checkpointEvery = Duration.ofMillis(200);
        private CheckpointStore checkpointStore;
        private CapacityForecaster forecaster;
        private PlacementPolicy policy;
        private ProgressListener progress = ProgressListener.NONE;
        private boolean recordTrace;
        private boolean retainIntermediateOutputs = true;
        private Clock clock = Clock.SYSTEM;
        private ExcessCapacityFeed excessCapacityFeed;

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

        /** Run over this transport instead of local ranks (its size fixes the number of ranks). */
        public Builder transport(Transport transport) {
            this.transport = transport;
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

        /** The capacity forecaster (default: the first one {@link ServiceLoader} finds, else persistence). */
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

        /** Record the timeline of attempts for {@link RunResult#trace()}. */
        public Builder recordTrace(boolean record) {
            this.recordTrace = record;
            return this;
        }

        /** Keep (true, the default) or drop outputs once every consumer has committed; sinks are always kept. */
        public Builder retainIntermediateOutputs(boolean retain) {
            this.retainIntermediateOutputs = retain;
            return this;
        }

        /** The broker's clock (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Revoke and restore excess ranks as a capacity source's idle cores fall and rise, feeding the forecaster. */
        public Builder excessCapacityFeed(ExcessCapacityFeed feed) {
            this.excessCapacityFeed = feed;
            return this;
        }

        /** The configuration. */
        public RunConfig build() {
            return new RunConfig(this);
        }
    }
}
