package io.shatter.broker;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.Shard;
import io.shatter.ShardGraph;
import io.shatter.Shatter;
import io.shatter.ShatterException;
import io.shatter.broker.policy.Candidate;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.broker.policy.Placement;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.protocol.Messages;
import io.shatter.protocol.PackedResults;
import io.shatter.protocol.WireWriter;
import io.shatter.transport.LocalCluster;
import io.shatter.transport.Transport;
import io.shatter.worker.Worker;
import io.shatter.CapacityClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's loop under what peers may send: well-formed frames naming attempts that do not
 * exist, and mangled copies of real frames, from a rank that also runs real shards. The run still
 * finishes with the sequential result; a broker that fails itself stops with a summary.
 */
class PeerFuzzRunTest {
    private static final int SHARDS = 200;

    @TempDir
    Path dir;

    private static ShardGraph graph(List<Shard<Long>> parts, Shard<?>[] total) {
        ShardGraph.Builder g = ShardGraph.builder("peer-fuzz");
        for (int i = 0; i < SHARDS; i++) {
            long seed = i;
            parts.add(g.shard("p-" + i).compute(Codecs.LONG, ctx -> seed * seed + 1));
        }
        total[0] = g.shard("total").inputs(parts.toArray(new Shard<?>[0])).compute(Codecs.LONG, ctx -> {
            long t = 0;
            for (Shard<Long> p : parts) {
                t += ctx.input(p);
            }
            return t;
        });
        return g.build();
    }

    private static long sequential() {
        long t = 0;
        for (long i = 0; i < SHARDS; i++) {
            t += i * i + 1;
        }
        return t;
    }

    /** The broker's end of a local cluster, with noise from rank 2 added before each of its real frames. */
    private static final class NoisyTransport implements Transport {
        private final Transport inner;
        private final String fingerprint;
        /** Instead of forged messages: one malformed frame, after rank 2's hello. */
        private final boolean malformedAfterHello;
        private final Random random = new Random(19);
        final AtomicInteger injected = new AtomicInteger();

        NoisyTransport(Transport inner, String fingerprint, boolean malformedAfterHello) {
            this.malformedAfterHello = malformedAfterHello;
            this.inner = inner;
            this.fingerprint = fingerprint;
        }

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public void start(Receiver receiver) {
            inner.start(new Receiver() {
                @Override
                public void onFrame(int source, byte[] frame) {
                    if (source == 2 && malformedAfterHello && injected.get() == 0 && !isHello(frame)) {
                        // The 9-byte frame: a HELLO claiming 2^31-1 capabilities.
                        receiver.onFrame(2, new byte[] {(byte) Messages.VERSION, 20, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                            (byte) 0xFF, 0x07, 0});
                        injected.incrementAndGet();
                    } else if (source == 2 && !malformedAfterHello) { // 500 before each real frame, 1,000 in all (rank 2 sends a hello and results)
                        for (int i = 0; i < 500 && injected.get() < 1000; i++) {
                            receiver.onFrame(2, bogus(frame));
                            injected.incrementAndGet();
                        }
                    }
                    receiver.onFrame(source, frame);
                }

                @Override
                public void onPeerLost(int rank, String reason) {
                    receiver.onPeerLost(rank, reason);
                }
            });
        }

        private static boolean isHello(byte[] frame) {
            return frame.length > 1 && frame[1] == 20;
        }

        /** Well-formed messages for attempts that never were (never attempt numbers a real one could have). */
        private byte[] bogus(byte[] real) {
            WireWriter w = new WireWriter(64);
            int taskId = random.nextInt(1 << 20);
            int attempt = 1_000_000 + random.nextInt(1000);
            switch (random.nextInt(7)) {
                case 0 -> {
                    PackedResults results = new PackedResults();
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        results.add(taskId + k, attempt, new Messages.Stamp(0, random.nextLong()), random.nextInt(1 << 30), 1,
                                new byte[random.nextInt(64)]);
                    }
                    results.writeTo(w);
                }
                case 1 -> Messages.failed(w, taskId, attempt, new Messages.Stamp(0, 0), 5, "forged");
                case 2 -> Messages.checkpoint(w, taskId, attempt, random.nextInt(100), new byte[random.nextInt(64)]);
                case 3 -> Messages.yielded(w, taskId, attempt, Messages.Stamp.NONE, random.nextInt(100), new byte[3], 7);
                case 4 -> Messages.sharedGet(w, taskId, attempt, random.nextLong() & Long.MAX_VALUE, "k" + random.nextInt(5));
                case 5 -> Messages.sharedCompareAndSet(w, taskId, attempt, 1, "k" + random.nextInt(5), random.nextInt(3), new byte[] {1});
                default -> Messages.hello(w, 1 + random.nextInt(8), List.of(), fingerprint); // a duplicate hello (another graph would be fatal on a fixed rank, by design)
            }
            return w.toFrame();
        }

        @Override
        public void send(int destination, byte[] frame) {
            inner.send(destination, frame);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Runs the graph on 3 local worker ranks whose broker hears {@code transport}; returns the result. */
    private static RunResult runOn(ShardGraph broker, ShardGraph workers, java.util.function.Function<Transport, Transport> wrap,
                                   RunConfig.Builder config) {
        LocalCluster cluster = new LocalCluster(4);
        List<Thread> threads = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            Worker w = new Worker(workers, cluster.endpoint(r), 1, List.of(), CapacityClass.RESERVED);
            Thread t = new Thread(w::run, "fuzz-rank-" + r);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return Shatter.run(broker, config.layout(RankLayout.of(3, 0, 0, 1)).transport(wrap.apply(cluster.endpoint(0))).build());
    }

    @Test
    void forgedMessagesFromAWorkingRankChangeNothing() {
        List<Shard<Long>> parts = new ArrayList<>();
        Shard<?>[] total = new Shard<?>[1];
        ShardGraph g = graph(parts, total);
        NoisyTransport[] noisy = new NoisyTransport[1];
        RunResult result = runOn(g, graph(new ArrayList<>(), new Shard<?>[1]), t -> noisy[0] = new NoisyTransport(t, g.fingerprint(), false), RunConfig.builder());

        assertEquals(sequential(), (long) (Long) result.get(total[0]));
        assertEquals(1000, noisy[0].injected.get(), "forged frames");
    }

    /** A malformed frame from a fixed rank (no link to cut): the broker drops the rank, ignores it from then on, and finishes. */
    @Test
    void aMalformedFrameFromAFixedRankDropsThatRankOnly() {
        List<Shard<Long>> parts = new ArrayList<>();
        Shard<?>[] total = new Shard<?>[1];
        ShardGraph g = graph(parts, total);
        NoisyTransport[] noisy = new NoisyTransport[1];
        RunResult result = runOn(g, graph(new ArrayList<>(), new Shard<?>[1]), t -> noisy[0] = new NoisyTransport(t, g.fingerprint(), true),
                RunConfig.builder());

        assertEquals(sequential(), (long) (Long) result.get(total[0]));
        assertEquals(1, noisy[0].injected.get(), "the malformed frame was sent");
        assertEquals(0L, result.summary().shardsByRank().getOrDefault(2, 0L), "rank 2 was dropped before its first result: " + result.summary());
    }

    /** A bug in the broker (here: its placement policy throws) stops the run with a summary and one paragraph naming it. */
    @Test
    void aFailureOfTheBrokerItselfStopsTheRunWithASummary() {
        List<Shard<Long>> parts = new ArrayList<>();
        Shard<?>[] total = new Shard<?>[1];
        ShardGraph g = graph(parts, total);
        AtomicInteger placed = new AtomicInteger();
        PlacementPolicy failing = new PlacementPolicy() {
            private final DefaultPlacementPolicy inner = new DefaultPlacementPolicy();

            @Override
            public Placement place(Candidate candidate, ClusterView cluster) {
                if (placed.incrementAndGet() > 50) {
                    throw new IllegalStateException("policy bug");
                }
                return inner.place(candidate, cluster);
            }
        };
        ShatterException e = assertThrows(ShatterException.class, () -> Shatter.run(g, RunConfig.builder().ranks(2, 0, 0)
                .policy(failing).runDirectory(dir.resolve("run")).runIdentity("x").build()));

        assertTrue(e.getMessage().startsWith("the broker failed (java.lang.IllegalStateException: policy bug)"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("run").toString()), "names where the committed shards are: " + e.getMessage());
        assertNotNull(e.summary(), "the summary is there to be written");
        assertTrue(e.summary().shardsCompleted() > 0 && e.summary().shardsCompleted() < SHARDS + 1, e.summary().toString());
    }
}
