package io.shatter;

import io.shatter.broker.BrokerLoop;
import io.shatter.transport.LocalCluster;
import io.shatter.worker.Worker;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Join slots: excess workers from outside the MPI world. The run starts without them, uses one
 * when it joins, and survives it leaving; the result equals the sequential one.
 */
class JoinSlotTest {

    @Test
    void runStartsWithoutJoinedWorkersAndUsesOneThatJoinsLater() throws Exception {
        int n = 400;
        CountDownLatch reservedBusy = new CountDownLatch(1);
        ShardGraph.Builder g = ShardGraph.builder("join");
        Shard<Long>[] parts = new Shard[n];
        for (int i = 0; i < n; i++) {
            long k = i;
            parts[i] = g.shard("p" + i).compute(Codecs.LONG, ctx -> {
                reservedBusy.countDown();
                spin(500_000);
                return k * k;
            });
        }
        Shard<Long> sum = g.shard("sum").inputs(parts).compute(Codecs.LONG, ctx -> {
            long s = 0;
            for (Shard<Long> p : parts) {
                s += ctx.input(p);
            }
            return s;
        });
        ShardGraph graph = g.build();
        RankLayout layout = RankLayout.of(1, 0, 0, 1).withJoinSlots(2, 1);
        LocalCluster cluster = new LocalCluster(layout.workers() + 1);
        Thread reserved = new Thread(new Worker(graph, cluster.endpoint(1), 1, List.of(), CapacityClass.RESERVED)::run);
        reserved.setDaemon(true);
        reserved.start();
        // The excess worker joins rank 2 only once the run is under way.
        Thread joiner = new Thread(() -> {
            try {
                if (reservedBusy.await(30, TimeUnit.SECONDS)) {
                    new Worker(graph, cluster.endpoint(2), 1, List.of(), CapacityClass.EXCESS).run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        joiner.setDaemon(true);
        joiner.start();

        RunConfig config = RunConfig.builder().layout(layout).transport(cluster.endpoint(0)).build();
        BrokerLoop loop = new BrokerLoop(graph, config, cluster.endpoint(0));
        loop.run();

        long expected = 0;
        for (long k = 0; k < n; k++) {
            expected += k * k;
        }
        assertEquals(expected, io.shatter.Codecs.LONG.decode(loop.core().output(sum.index())));
        RunSummary summary = loop.summary();
        assertTrue(summary.shardsByRank().get(2) > 0, "the joined worker ran shards: " + summary.shardsByRank());
        assertEquals(0L, summary.shardsByRank().get(3), "nobody joined rank 3");
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
