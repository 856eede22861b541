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

    /** One rank's view of the cluster. */
    private final class Endpoint implements Transport {
        private final int rank;
        private Receiver receiver;
        private List<Object[]> early = new ArrayList<>();
        private volatile boolean closed;

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
            List<Object[]> pending;
            synchronized (this) {
                this.receiver = receiver;
                pending = early;
                early = null;
            }
            for (Object[] f : pending) {
                receiver.onFrame((Integer) f[0], (byte[]) f[1]);
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
            Receiver r = receiver;
            if (r == null) {
                synchronized (this) {
                    if (receiver == null) {
                        early.add(new Object[] {source, frame}); // sent before this rank started listening
                        return;
                    }
                    r = receiver;
                }
            }
            r.onFrame(source, frame);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
