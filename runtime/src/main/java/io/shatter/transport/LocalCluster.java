package io.shatter.transport;

import java.util.ArrayList;
import java.util.List;

/**
 * Ranks as threads in one JVM: the embedded default, which needs nothing but Java. Frames are the
 * same encoded bytes MPI carries; a send hands the frame straight to the receiving rank's inbox,
 * so there is no copy and no extra thread.
 */
public final class LocalCluster {
    private final Endpoint[] endpoints;

    /** A cluster of {@code size} ranks (rank 0 is the broker). */
    public LocalCluster(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a local cluster needs the broker and at least one worker rank, got " + size);
        }
        endpoints = new Endpoint[size];
        for (int r = 0; r < size; r++) {
            endpoints[r] = new Endpoint(r);
        }
    }

    /** The transport of rank {@code rank}. */
    public Transport endpoint(int rank) {
        return endpoints[rank];
    }

    /**
     * Declares rank {@code rank} dead (its thread failed): it stops sending and receiving, and every
     * other started rank is told through {@link Transport.Receiver#onPeerLost}, as an MPI transport
     * tells its ranks about a peer that reported its own death.
     */
    public void markLost(int rank, String reason) {
        Endpoint dead = endpoints[rank];
        dead.closed = true;
        dead.dead = true;
        for (Endpoint e : endpoints) {
            if (e != dead && !e.closed) {
                e.peerLost(rank, reason);
            }
        }
    }

    /** One rank's view of the cluster. */
    private final class Endpoint implements Transport {
        private final int rank;
        private volatile Receiver receiver;
        private List<Object[]> early = new ArrayList<>();
        private volatile boolean closed;
        private volatile boolean dead;

        Endpoint(int rank) {
            this.rank = rank;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return endpoints.length;
        }

        @Override
        public void start(Receiver receiver) {
            // Replay under the lock and publish the receiver only afterwards: a sender that arrives
            // meanwhile queues behind the replay instead of overtaking the early frames.
            synchronized (this) {
                for (Object[] f : early) {
                    if (f[1] == null) {
                        receiver.onPeerLost((Integer) f[0], (String) f[2]);
                    } else {
                        receiver.onFrame((Integer) f[0], (byte[]) f[1]);
                    }
                }
                early = null;
                this.receiver = receiver;
            }
        }

        @Override
        public void send(int destination, byte[] frame) {
            if (closed) {
                return;
            }
            endpoints[destination].deliver(rank, frame);
        }

        private void deliver(int source, byte[] frame) {
            if (dead) {
                return; // a dead rank's inbox is gone
            }
            Receiver r = receiver;
            if (r == null) {
                synchronized (this) {
                    if (receiver == null) {
                        early.add(new Object[] {source, frame, null}); // sent before this rank started listening
                        return;
                    }
                    r = receiver;
                }
            }
            r.onFrame(source, frame);
        }

        private void peerLost(int peer, String reason) {
            Receiver r = receiver;
            if (r == null) {
                synchronized (this) {
                    if (receiver == null) {
                        early.add(new Object[] {peer, null, reason});
                        return;
                    }
                    r = receiver;
                }
            }
            r.onPeerLost(peer, reason);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
