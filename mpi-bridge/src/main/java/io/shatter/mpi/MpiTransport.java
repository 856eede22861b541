package io.shatter.mpi;

import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Transport} over MPI point-to-point messages (Open MPI or MPJ Express, through an
 * {@link MpiBinding}). One progress thread owns every MPI call after initialisation: it drains the
 * outgoing queue, packs the frames for each destination into as few MPI messages as it can
 * (batching pays for the runtime's many small frames), starts non-blocking sends, polls
 * {@code Iprobe} for incoming messages and hands their frames to the receiver, and waits by the
 * {@link ProgressStrategy} when idle.
 *
 * <p>Every message carries one tag and starts with a kind byte: a batch of length-prefixed frames;
 * the first or a following chunk of a frame larger than {@link #MAX_MESSAGE_BYTES} (so a 64 MiB
 * frame needs no 64 MiB native buffer and does not hold up other destinations); or a notice that a
 * rank is lost. One tag keeps MPI's non-overtaking order per source, which is the order the
 * {@link Transport} contract promises.
 */
public final class MpiTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(MpiTransport.class);

    /** The one MPI tag Shatter uses, so applications may use others on the same communicator. */
    static final int TAG = 0x5A7;
    /** Largest MPI message; longer frames go in chunks of this size. */
    static final int MAX_MESSAGE_BYTES = 4 << 20;
    /** Sends in flight before the progress thread stops taking new frames (bounds native memory). */
    private static final int MAX_IN_FLIGHT = 48;
    private static final byte BATCH = 1;
    private static final byte CHUNK_FIRST = 2;
    private static final byte CHUNK_NEXT = 3;
    private static final byte LOST = 5;

    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 200_000;
    private static final long MIN_PARK_NANOS = 20_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private final MpiBinding mpi;
    private final ProgressStrategy strategy;
    private final ConcurrentLinkedQueue<Outgoing> queue = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Object> inFlight = new ArrayDeque<>();
    private final byte[][] assembling;
    private final int[] assembled;
    private final boolean[] lostPeers;
    private final Thread progress;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Receiver receiver;
    private volatile boolean parked;
    private volatile boolean closing;
    private volatile boolean finished;
    private volatile String brokenReason;
    private long messagesSent;
    private long framesSent;

    MpiTransport(MpiBinding mpi, ProgressStrategy strategy) {
        this.mpi = mpi;
        this.strategy = strategy;
        int size = mpi.size();
        this.assembling = new byte[size][];
        this.assembled = new int[size];
        this.lostPeers = new boolean[size];
        this.progress = new Thread(this::progressLoop, "shatter-mpi-progress-" + mpi.rank());
        progress.setDaemon(true); // never keeps a failed JVM alive; close() waits for it explicitly
        progress.start();
    }

    @Override
    public int rank() {
        return mpi.rank();
    }

    @Override
    public int size() {
        return mpi.size();
    }

    /** "Open MPI" or "MPJ Express". */
    public String libraryName() {
        return mpi.name();
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        wake();
    }

    @Override
    public void send(int destination, byte[] frame) {
        if (destination < 0 || destination >= size() || destination == rank()) {
            throw new IllegalArgumentException("no peer rank " + destination + " (world of " + size() + ", this is rank " + rank() + ")");
        }
        if (closing || lostPeers[destination]) {
            return; // like a send to a lost rank: the receiver has already been told
        }
        queue.add(new Outgoing(destination, frame, false));
        wake();
    }

    /**
     * Tells every peer that this rank is lost (their receivers get {@code onPeerLost}), waits up to
     * {@code timeoutMillis} for the notices to leave, and stops the progress thread; MPI is not
     * finalized, as the process is about to end abnormally.
     */
    public void abort(String reason, long timeoutMillis) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        for (int r = 0; r < size(); r++) {
            if (r != rank()) {
                queue.add(new Outgoing(r, text, true));
            }
        }
        closing = true;
        finished = true; // no finalize after this: the process ends abnormally
        wake();
        awaitStop(timeoutMillis);
    }

    /** Sends what is queued, waits until every send completed, stops the progress thread and finalizes MPI. */
    @Override
    public synchronized void close() {
        if (finished) {
            return;
        }
        closing = true;
        wake();
        if (!awaitStop(30_000)) {
            LOG.warn("{} rank {}: sends still pending after 30 s at close; finalizing anyway", mpi.name(), rank());
        }
        finished = true;
        try {
            mpi.finish();
        } catch (Exception e) {
            LOG.warn("{} rank {}: MPI finalize failed: {}", mpi.name(), rank(), e.toString());
        }
        LOG.debug("rank {}: {} frames in {} MPI messages", rank(), framesSent, messagesSent);
    }

    private boolean awaitStop(long timeoutMillis) {
        try {
            return stopped.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void wake() {
        if (parked) {
            LockSupport.unpark(progress);
        }
    }

    // ------------------------------------------------------------------ progress thread

    private void progressLoop() {
        long lastActivity = System.nanoTime();
        long park = MIN_PARK_NANOS;
        try {
            while (true) {
                boolean active = completeSends();
                if (inFlight.size() < MAX_IN_FLIGHT) {
                    active |= postSends();
                }
                if (receiver != null) {
                    active |= receiveAll();
                }
                if (closing && queue.isEmpty() && inFlight.isEmpty()) {
                    break;
                }
                long now = System.nanoTime();
                if (active) {
                    lastActivity = now;
                    park = MIN_PARK_NANOS;
                    continue;
                }
                switch (strategy) {
                    case SPIN -> Thread.onSpinWait();
                    case SLEEP -> parkIdle(MAX_PARK_NANOS);
                    case BACKOFF -> {
                        if (now - lastActivity < YIELD_NANOS) {
                            Thread.yield(); // a reply often comes within microseconds; yielding hands the core to busy lanes meanwhile
                        } else {
                            parkIdle(park);
                            park = Math.min(MAX_PARK_NANOS, park * 2);
                        }
                    }
                    case SPIN_BACKOFF -> {
                        long idle = now - lastActivity;
                        if (idle < SPIN_NANOS) {
                            Thread.onSpinWait();
                        } else if (idle < YIELD_NANOS) {
                            Thread.yield();
                        } else {
                            parkIdle(park);
                            park = Math.min(MAX_PARK_NANOS, park * 2);
                        }
                    }
                }
            }
        } catch (Throwable t) {
            broken(t);
        } finally {
            stopped.countDown();
        }
    }

    private void parkIdle(long nanos) {
        parked = true;
        if (queue.isEmpty() && !closing) {
            LockSupport.parkNanos(this, nanos);
        }
        parked = false;
    }

    /** The library failed under us: every peer is as good as lost. */
    private void broken(Throwable t) {
        brokenReason = mpi.name() + " failed on rank " + rank() + ": " + t;
        LOG.error("{}", brokenReason);
        Receiver r = receiver;
        for (int peer = 0; peer < size(); peer++) {
            if (peer != rank() && !lostPeers[peer]) {
                lostPeers[peer] = true;
                if (r != null) {
                    r.onPeerLost(peer, brokenReason);
                }
            }
        }
    }

    private boolean completeSends() throws Exception {
        boolean any = false;
        for (Iterator<Object> it = inFlight.iterator(); it.hasNext(); ) {
            if (mpi.isDone(it.next())) {
                it.remove();
                any = true;
            }
        }
        return any;
    }

    /** Packs everything queued into messages per destination, in queue order, and starts sending them. */
    private boolean postSends() throws Exception {
        Outgoing first = queue.poll();
        if (first == null) {
            return false;
        }
        List<List<Outgoing>> byDestination = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            byDestination.add(null);
        }
        int taken = 0;
        for (Outgoing o = first; o != null; o = taken < 4096 ? queue.poll() : null) {
            List<Outgoing> list = byDestination.get(o.destination);
            if (list == null) {
                byDestination.set(o.destination, list = new ArrayList<>());
            }
            list.add(o);
            taken++;
        }
        for (int dest = 0; dest < size(); dest++) {
            List<Outgoing> list = byDestination.get(dest);
            if (list != null) {
                sendAll(dest, list);
            }
        }
        return true;
    }

    private void sendAll(int dest, List<Outgoing> frames) throws Exception {
        int i = 0;
        while (i < frames.size()) {
            Outgoing o = frames.get(i);
            if (o.lostNotice) {
                byte[] msg = new byte[1 + o.frame.length];
                msg[0] = LOST;
                System.arraycopy(o.frame, 0, msg, 1, o.frame.length);
                post(dest, msg, msg.length);
                i++;
            } else if (1 + 4 + o.frame.length > MAX_MESSAGE_BYTES) {
                sendChunked(dest, o.frame);
                framesSent++;
                i++;
            } else {
                // As many following frames as fit into one batch message.
                int bytes = 1;
                int end = i;
                while (end < frames.size() && !frames.get(end).lostNotice
                        && bytes + 4 + frames.get(end).frame.length <= MAX_MESSAGE_BYTES) {
                    bytes += 4 + frames.get(end).frame.length;
                    end++;
                }
                ByteBuffer msg = ByteBuffer.allocate(bytes);
                msg.put(BATCH);
                for (int k = i; k < end; k++) {
                    byte[] f = frames.get(k).frame;
                    msg.putInt(f.length).put(f);
                }
                post(dest, msg.array(), bytes);
                framesSent += end - i;
                i = end;
            }
        }
    }

    private void sendChunked(int dest, byte[] frame) throws Exception {
        int firstPayload = MAX_MESSAGE_BYTES - 5;
        ByteBuffer head = ByteBuffer.allocate(MAX_MESSAGE_BYTES);
        head.put(CHUNK_FIRST).putInt(frame.length).put(frame, 0, firstPayload);
        post(dest, head.array(), MAX_MESSAGE_BYTES);
        for (int off = firstPayload; off < frame.length; off += MAX_MESSAGE_BYTES - 1) {
            int n = Math.min(MAX_MESSAGE_BYTES - 1, frame.length - off);
            byte[] msg = new byte[1 + n];
            msg[0] = CHUNK_NEXT;
            System.arraycopy(frame, off, msg, 1, n);
            post(dest, msg, msg.length);
        }
    }

    private void post(int dest, byte[] msg, int length) throws Exception {
        try {
            inFlight.add(mpi.startSend(msg, length, dest, TAG));
            messagesSent++;
        } catch (Exception e) {
            peerLost(dest, mpi.name() + " could not send to rank " + dest + ": " + e);
        }
    }

    private boolean receiveAll() throws Exception {
        boolean any = false;
        int[] probe;
        // Bounded, so that sends are not starved by a flood of incoming messages.
        for (int n = 0; n < 256 && (probe = mpi.probe(TAG)) != null; n++) {
            any = true;
            int source = probe[0];
            byte[] msg = mpi.receive(source, probe[1], TAG);
            dispatch(source, msg);
        }
        return any;
    }

    private void dispatch(int source, byte[] msg) {
        Receiver r = receiver;
        if (msg.length == 0) {
            LOG.warn("rank {}: empty MPI message from rank {} with Shatter's tag; ignored", rank(), source);
            return;
        }
        switch (msg[0]) {
            case BATCH -> {
                ByteBuffer in = ByteBuffer.wrap(msg, 1, msg.length - 1);
                while (in.remaining() >= 4) {
                    int len = in.getInt();
                    byte[] frame = new byte[len];
                    in.get(frame);
                    r.onFrame(source, frame);
                }
            }
            case CHUNK_FIRST -> {
                int total = ByteBuffer.wrap(msg, 1, 4).getInt();
                byte[] frame = new byte[total];
                int n = msg.length - 5;
                System.arraycopy(msg, 5, frame, 0, n);
                assembling[source] = frame;
                assembled[source] = n;
            }
            case CHUNK_NEXT -> {
                byte[] frame = assembling[source];
                if (frame == null) {
                    LOG.warn("rank {}: a chunk from rank {} without its first chunk; ignored", rank(), source);
                    return;
                }
                int n = msg.length - 1;
                System.arraycopy(msg, 1, frame, assembled[source], n);
                assembled[source] += n;
                if (assembled[source] == frame.length) {
                    assembling[source] = null;
                    r.onFrame(source, frame);
                }
            }
            case LOST -> peerLost(source, new String(msg, 1, msg.length - 1, StandardCharsets.UTF_8));
            default -> LOG.warn("rank {}: MPI message of unknown kind {} from rank {}; ignored", rank(), msg[0], source);
        }
    }

    private void peerLost(int peer, String reason) {
        if (lostPeers[peer]) {
            return;
        }
        lostPeers[peer] = true;
        Receiver r = receiver;
        if (r != null) {
            r.onPeerLost(peer, reason);
        }
    }

    private record Outgoing(int destination, byte[] frame, boolean lostNotice) {
    }
}
