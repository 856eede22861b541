package io.shatter.slurm;

import io.shatter.CapacityClass;
import io.shatter.Codec;
import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.Resumable;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.slurm.join.JoinClient;
import io.shatter.slurm.join.JoinSettings;
import io.shatter.slurm.join.JoinTls;
import io.shatter.slurm.join.JoinToken;
import io.shatter.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's join channel in a real run with local ranks: a worker joins over TCP (token and
 * address from the run directory), runs resumable shards, then leaves on its own as on Slurm's
 * SIGTERM; its shards resume from the states it saved and the result equals the sequential one.
 */
class ExcessWorkersTest {
    @TempDir
    Path runDir;

    private static final int SHARDS = 12;
    private static final long STEPS = 400;

    private Shard<Long> total;

    private ShardGraph graph(CountDownLatch excessRunning) {
        ShardGraph.Builder g = ShardGraph.builder("excess-join");
        Codec<long[]> state = Codecs.LONGS; // {steps done, running sum}
        @SuppressWarnings("unchecked")
        Shard<Long>[] parts = new Shard[SHARDS];
        for (int i = 0; i < SHARDS; i++) {
            long seed = i + 1;
            parts[i] = g.shard("sum-" + i).resumable(state, Codecs.LONG, new Resumable<long[], Long>() {
                @Override
                public long[] start(ShardContext ctx) {
                    return new long[] {0, 0};
                }

                @Override
                public long[] step(long[] s, ShardContext ctx) throws InterruptedException {
                    if (ctx.capacityClass() == CapacityClass.EXCESS) {
                        excessRunning.countDown();
                    }
                    Thread.sleep(2); // long enough that the worker is mid-shard when it leaves
                    return new long[] {s[0] + 1, s[1] + seed * (s[0] + 1)};
                }

                @Override
                public boolean isDone(long[] s) {
                    return s[0] >= STEPS;
                }

                @Override
                public Long finish(long[] s, ShardContext ctx) {
                    return s[1];
                }
            });
        }
        total = g.shard("total").inputs(parts).compute(Codecs.LONG, ctx -> {
            long t = 0;
            for (Shard<Long> p : parts) {
                t += ctx.input(p);
            }
            return t;
        });
        return g.build();
    }

    @Test
    void joinedWorkerRunsShardsThenLeavesAndTheirStatesResumeElsewhere() throws Exception {
        CountDownLatch excessRunning = new CountDownLatch(1);
        ShardGraph workerGraph = graph(excessRunning); // the worker builds its own graph, as a separate process would
        ShardGraph graph = graph(excessRunning);
        RankLayout fixed = RankLayout.of(1, 0, 0, 1);
        ExcessWorkers channel = ExcessWorkers.open(new ExcessWorkers.Options(runDir, "127.0.0.1", 0, fixed.workers() + 1, 2, 2,
                false, "excess", SbatchScript.Site.DEFAULTS, Duration.ofSeconds(2), List.of(), List.of()));
        RunConfig config = RunConfig.builder().layout(fixed.withJoinSlots(2, 2)).joinChannel(channel)
                .checkpointEvery(Duration.ofMillis(20)).recordTrace(true).build();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> Shatter.run(graph, config));

        Path addressFile = runDir.resolve(ExcessWorkers.ADDRESS_FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(addressFile) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        String[] address = Files.readString(addressFile).strip().split(":");
        JoinClient client = JoinClient.connect(address[0], Integer.parseInt(address[1]), JoinToken.read(runDir.resolve(JoinToken.FILE_NAME)),
                JoinTls.readFingerprint(runDir.resolve(JoinTls.FINGERPRINT_FILE)), JoinSettings.DEFAULTS, Duration.ofSeconds(10));
        Worker worker = new Worker(workerGraph, client, 2, List.of(), CapacityClass.EXCESS);
        Thread lanes = new Thread(worker::run, "joined-worker");
        lanes.start();
        assertTrue(excessRunning.await(30, TimeUnit.SECONDS), "the joined worker got shards");
        worker.leave(); // what TerminationSignal does on SIGTERM
        lanes.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!lanes.isAlive(), "the worker returned after leaving");
        assertNull(worker.brokerLost(), "the worker left on its own, the broker is still there");
        client.close();

        RunResult result = run.get(120, TimeUnit.SECONDS);
        long expected = 0;
        for (long seed = 1; seed <= SHARDS; seed++) {
            for (long k = 1; k <= STEPS; k++) {
                expected += seed * k;
            }
        }
        assertEquals(expected, result.get(total));
        assertTrue(result.summary().preemptions() > 0, "the leaving worker yielded running shards: " + result.summary());
        assertTrue(result.summary().checkpointRestores() > 0, "their states were resumed: " + result.summary());
    }
}
