package io.shatter.worker;

import io.shatter.CapacityClass;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.SharedState;
import io.shatter.graph.ShardSpec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/** The {@link ShardContext} of one attempt: its declared inputs, where it runs, its pool, its cancel flag, shared state. */
final class AttemptContext implements ShardContext {
    private final Assignment a;
    private final List<ShardSpec> specs;
    private final int rank;
    private final CapacityClass capacityClass;
    /** The worker's pools, one per core count, shared by its attempts. */
    private final Map<Integer, ForkJoinPool> pools;
    private final java.util.function.Function<Assignment, SharedState> sharedOf;
    private SharedState shared;

    AttemptContext(Assignment a, List<ShardSpec> specs, int rank, CapacityClass capacityClass, Map<Integer, ForkJoinPool> pools,
                   java.util.function.Function<Assignment, SharedState> sharedOf) {
        this.a = a;
        this.specs = specs;
        this.rank = rank;
        this.capacityClass = capacityClass;
        this.pools = pools;
        this.sharedOf = sharedOf;
    }

    @Override
    public <T> T input(Shard<T> shard) {
        byte[] bytes = a.inputs.get(shard.index());
        if (bytes == null || !specs.get(shard.index()).id().equals(shard.id())) {
            throw new IllegalArgumentException("shard '" + a.spec.id() + "' reads " + shard
                    + " but did not declare it with inputs(...)");
        }
        return shard.codec().decode(bytes);
    }

    @Override
    public String shardId() {
        return a.spec.id();
    }

    @Override
    public int attempt() {
        return a.attempt;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public CapacityClass capacityClass() {
        return capacityClass;
    }

    @Override
    public int cores() {
        return a.spec.cores();
    }

    @Override
    public ExecutorService pool() {
        return pools.computeIfAbsent(a.spec.cores(), ForkJoinPool::new);
    }

    @Override
    public boolean isCancelled() {
        return a.cancelled || a.yieldRequested;
    }

    @Override
    public SharedState shared() {
        if (shared == null) { // made on first use; two threads of one shard racing here make two equal views
            shared = sharedOf.apply(a);
        }
        return shared;
    }
}
