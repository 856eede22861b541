package io.shatter.mpi;

import io.shatter.transport.Transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * The transport contract as scenarios that every rank runs on its own transport (threads of one
 * JVM for local ranks, processes under mpirun, threads under MPJ Express). Each returns a one-line
 * verdict starting with {@code OK} or throws {@link AssertionError}; expected values are computed
 * independently on the receiving side from the same seeds, never taken from the wire.
 */
final class TransportScenarios {
    static final int ORDERED_FRAMES = 20_000;
    static final int SMALL_FRAMES = 200_000;
    /** Just above 64 MiB, and not a multiple of any chunk size. */
    static final int LARGE_FRAME_BYTES = (64 << 20) + 12_345;
    static final long DEADLINE_MILLIS = 30_000;

    /** How a scenario makes its own rank die abruptly (the harness knows how, per transport). */
    interface Crash {
        void crash(Transport transport, String reason);
    }

    private TransportScenarios() {
    }

    static String run(String scenario, Transport t, Crash crash) throws InterruptedException {
        return switch (scenario) {
            case "ordering" -> ordering(t);
            case "many-small" -> manySmall(t);
            case "large" -> large(t);
            case "shutdown" -> shutdown(t);
            case "dead-peer" -> deadPeer(t, crash);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
    }

    /** Rank 0 and every worker send numbered frames to each other; each source's frames arrive in order, all of them. */
    static String ordering(Transport t) throws InterruptedException {
        Inbox in = Inbox.start(t);
        int[] peers = t.rank() == 0 ? range(1, t.size()) : new int[] {0};
        for (int seq = 0; seq < ORDERED_FRAMES; seq++) {
            for (int p : peers) {
                t.send(p, ByteBuffer.allocate(8).putInt(t.rank()).putInt(seq).array());
            }
        }
        int[] next = new int[t.size()];
        for (int n = 0; n < ORDERED_FRAMES * peers.length; n++) {
            Inbox.Frame f = in.take();
            ByteBuffer b = ByteBuffer.wrap(f.bytes());
            int claimedSource = b.getInt();
            int seq = b.getInt();
            check(claimedSource == f.source(), "frame from rank " + f.source() + " claims rank " + claimedSource);
            check(seq == next[f.source()], "from rank " + f.source() + ": frame " + seq + " arrived where " + next[f.source()] + " was due");
            next[f.source()]++;
        }
        barrier(t, in);
        return "OK ordering " + ORDERED_FRAMES * peers.length + " frames in order";
    }

    /** Every worker sends many tiny frames of varying length to rank 0, which checks count and checksum per source. */
    static String manySmall(Transport t) throws InterruptedException {
        Inbox in = Inbox.start(t);
        long start = System.nanoTime();
        if (t.rank() != 0) {
            Random random = new Random(t.rank());
            for (int i = 0; i < SMALL_FRAMES; i++) {
                byte[] f = new byte[1 + random.nextInt(24)];
                random.nextBytes(f);
                t.send(0, f);
            }
        } else {
            CRC32[] got = new CRC32[t.size()];
            for (int r = 1; r < t.size(); r++) {
                got[r] = new CRC32();
            }
            for (int n = 0; n < SMALL_FRAMES * (t.size() - 1); n++) {
                Inbox.Frame f = in.take();
                got[f.source()].update(f.bytes());
            }
            for (int r = 1; r < t.size(); r++) {
                Random random = new Random(r);
                CRC32 want = new CRC32();
                for (int i = 0; i < SMALL_FRAMES; i++) {
                    byte[] f = new byte[1 + random.nextInt(24)];
                    random.nextBytes(f);
                    want.update(f);
                }
                check(want.getValue() == got[r].getValue(), "the frames from rank " + r + " differ from what it sent (CRC32)");
            }
        }
        barrier(t, in);
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format("OK many-small %d frames per worker in %.2f s (%.0f frames/s into rank 0)",
                SMALL_FRAMES, seconds, SMALL_FRAMES * (t.size() - 1) / seconds);
    }

    /** Rank 0 and rank 1 send each other a frame over 64 MiB at the same time, then a small one after it. */
    static String large(Transport t) throws InterruptedException {
        Inbox in = Inbox.start(t);
        if (t.rank() <= 1) {
            int peer = 1 - t.rank();
            long start = System.nanoTime();
            t.send(peer, pattern(t.rank(), LARGE_FRAME_BYTES));
            t.send(peer, new byte[] {42});
            Inbox.Frame big = in.take();
            check(big.source() == peer, "large frame from rank " + big.source());
            check(big.bytes().length == LARGE_FRAME_BYTES, "large frame has " + big.bytes().length + " bytes, want " + LARGE_FRAME_BYTES);
            check(crc(big.bytes()) == crc(pattern(peer, LARGE_FRAME_BYTES)), "large frame content differs (CRC32)");
            Inbox.Frame after = in.take();
            check(after.bytes().length == 1 && after.bytes()[0] == 42, "the small frame sent after the large one did not follow it");
            barrier(t, in);
            return String.format("OK large %d bytes each way in %.2f s", LARGE_FRAME_BYTES, (System.nanoTime() - start) / 1e9);
        }
        barrier(t, in);
        return "OK large (bystander)";
    }

    /** Workers send a burst and close at once; rank 0 still gets every frame, and every close returns promptly. */
    static String shutdown(Transport t) throws InterruptedException {
        Inbox in = Inbox.start(t);
        int burst = 5_000;
        if (t.rank() != 0) {
            for (int i = 0; i < burst; i++) {
                t.send(0, ByteBuffer.allocate(4).putInt(i).array());
            }
            long start = System.nanoTime();
            t.close();
            long millis = (System.nanoTime() - start) / 1_000_000;
            check(millis < 20_000, "close took " + millis + " ms");
            return "OK shutdown closed in " + millis + " ms";
        }
        int[] count = new int[t.size()];
        for (int n = 0; n < burst * (t.size() - 1); n++) {
            Inbox.Frame f = in.take();
            check(ByteBuffer.wrap(f.bytes()).getInt() == count[f.source()]++, "burst from rank " + f.source() + " out of order");
        }
        long start = System.nanoTime();
        t.close();
        return "OK shutdown got " + burst * (t.size() - 1) + " frames sent just before close; closed in "
                + (System.nanoTime() - start) / 1_000_000 + " ms";
    }

    /**
     * The last rank dies abruptly after saying hello; every other rank is told (onPeerLost naming
     * it) within the deadline, and a send to it afterwards neither throws nor blocks.
     */
    static String deadPeer(Transport t, Crash crash) throws InterruptedException {
        Inbox in = Inbox.start(t);
        int victim = t.size() - 1;
        if (t.rank() == victim) {
            crash.crash(t, "rank " + victim + " crashed on purpose (contract test)");
            return "DEAD";
        }
        Inbox.Lost lost = in.lost.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        check(lost != null, "rank " + t.rank() + " was never told that rank " + victim + " died");
        check(lost.rank() == victim, "told that rank " + lost.rank() + " died, but rank " + victim + " did");
        long start = System.nanoTime();
        t.send(victim, new byte[] {1, 2, 3});
        check(System.nanoTime() - start < 1_000_000_000L, "a send to the dead rank blocked");
        return "OK dead-peer told: " + lost.reason();
    }

    /**
     * Every worker tells rank 0 it is done; rank 0 then releases them all (so nobody closes while
     * others still send). Tokens are empty frames, which no scenario sends otherwise.
     */
    private static void barrier(Transport t, Inbox in) throws InterruptedException {
        byte[] token = {};
        if (t.rank() == 0) {
            for (int n = 1; n < t.size(); n++) {
                in.takeToken();
            }
            for (int r = 1; r < t.size(); r++) {
                t.send(r, token);
            }
        } else {
            t.send(0, token);
            in.takeToken();
        }
    }

    static byte[] pattern(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed * 7919 + 1).nextBytes(b);
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = from; i < to; i++) {
            r[i - from] = i;
        }
        return r;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Collects what a transport delivers; waits on it with a deadline. */
    static final class Inbox implements Transport.Receiver {
        record Frame(int source, byte[] bytes) {
        }

        record Lost(int rank, String reason) {
        }

        final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Frame> tokens = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Lost> lost = new LinkedBlockingQueue<>();
        final List<String> problems = new ArrayList<>();

        static Inbox start(Transport t) {
            Inbox in = new Inbox();
            t.start(in);
            return in;
        }

        @Override
        public void onFrame(int source, byte[] frame) {
            (frame.length == 0 ? tokens : frames).add(new Frame(source, frame));
        }

        @Override
        public void onPeerLost(int rank, String reason) {
            lost.add(new Lost(rank, reason));
        }

        Frame take() throws InterruptedException {
            return take(frames);
        }

        void takeToken() throws InterruptedException {
            take(tokens);
        }

        private Frame take(LinkedBlockingQueue<Frame> queue) throws InterruptedException {
            Frame f = queue.poll(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            if (f == null) {
                Lost l = lost.peek();
                throw new AssertionError("no frame within " + DEADLINE_MILLIS + " ms" + (l == null ? "" : "; rank " + l.rank() + " was lost: " + l.reason()));
            }
            return f;
        }
    }
}
