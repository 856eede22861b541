package io.shatter.slurm;

import io.shatter.CapacityClass;
import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.Resumable;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardContext;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.ShatterException;
import io.shatter.slurm.join.JoinClient;
import io.shatter.slurm.join.JoinServer;
import io.shatter.slurm.join.JoinSettings;
import io.shatter.slurm.join.JoinTls;
import io.shatter.slurm.join.JoinToken;
import io.shatter.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker that joined through the join channel (token and all) and then sends a malformed frame
 * is dropped, its connection closed, and the run finishes with the sequential result on the others.
 */
class MalformedFrameFromJoinedWorkerTest {
    private static final int SHARDS = 8;
    private static final long STEPS = 300;

    @TempDir
    Path runDir;

    private Shard<Long> total;

    private ShardGraph graph(CountDownLatch excessRunning) {
        ShardGraph.Builder g = ShardGraph.builder("malformed-join");
        @SuppressWarnings("unchecked")
        Shard<Long>[] parts = new Shard[SHARDS];
        for (int i = 0; i < SHARDS; i++) {
            long seed = i + 1;
            parts[i] = g.shard("sum-" + i).resumable(Codecs.LONGS, Codecs.LONG, new Resumable<long[], Long>() {
                @Override
                public long[] start(ShardContext ctx) {
                    return new long[] {0, 0};
                }

                @Override
                public long[] step(long[] s, ShardContext ctx) throws InterruptedException {
                    if (ctx.capacityClass() == CapacityClass.EXCESS) {
                        excessRunning.countDown();
                    }
                    Thread.sleep(1); // the joined worker is mid-shard when it misbehaves
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

    /** What a sequential run gives. */
    private static long sequential() {
        long expected = 0;
        for (long seed = 1; seed <= SHARDS; seed++) {
            for (long k = 1; k <= STEPS; k++) {
                expected += seed * k;
            }
        }
        return expected;
    }

    @Test
    void aJoinedWorkerSendingAMalformedFrameIsDroppedAndTheRunIsVerified() throws Exception {
        CountDownLatch excessRunning = new CountDownLatch(1);
        ShardGraph workerGraph = graph(excessRunning); // built separately, as the worker's own process would
        ShardGraph graph = graph(excessRunning);
        RankLayout fixed = RankLayout.of(1, 0, 0, 1);
        JoinToken token = JoinToken.create(runDir.resolve(JoinToken.FILE_NAME));
        JoinTls.ServerIdentity tls = JoinTls.createServer(runDir.resolve(JoinTls.FINGERPRINT_FILE), Duration.ofDays(1));
        JoinServer server = new JoinServer("127.0.0.1", 0, token, tls.context(), fixed.workers() + 1, 1, JoinSettings.DEFAULTS);
        RunConfig config = RunConfig.builder().layout(fixed.withJoinSlots(1, 2)).joinChannel(server)
                .checkpointEvery(Duration.ofMillis(20)).build();
        CompletableFuture<RunResult> run = CompletableFuture.supplyAsync(() -> Shatter.run(graph, config));

        JoinClient client = connectWhenListening(server, token, tls.fingerprint());
        Worker worker = new Worker(workerGraph, client, 2, List.of(), CapacityClass.EXCESS);
        Thread lanes = new Thread(() -> {
            try {
                worker.run();
            } catch (ShatterException cutOff) {
                // expected: checked below through brokerLost()
            }
        }, "joined-worker");
        lanes.setDaemon(true);
        lanes.start();
        assertTrue(excessRunning.await(60, TimeUnit.SECONDS), "the joined worker got shards");

        // The 9-byte frame: protocol version, HELLO, 1 core, and a claim of 2^31-1 capabilities.
        client.send(0, new byte[] {(byte) io.shatter.protocol.Messages.VERSION, 20, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0});

        lanes.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(lanes.isAlive(), "the broker closed the joined worker's connection, so its worker stopped");
        assertNotNull(worker.brokerLost(), "the worker was cut off by the broker, not told the run ended");
        RunResult result = run.get(120, TimeUnit.SECONDS);
        assertEquals(sequential(), result.get(total), "the run finished on the reserved rank with the sequential result");
        assertTrue(result.summary().lostAttempts() > 0, "the dropped worker's running shards were lost and rerun: " + result.summary());
        client.close();
    }

    /** The broker binds when its run starts: joins are retried until then, within a deadline. */
    private static JoinClient connectWhenListening(JoinServer server, JoinToken token, String fingerprint) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return JoinClient.connect("127.0.0.1", server.address().getPort(), token, fingerprint,
                        JoinSettings.DEFAULTS, Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
