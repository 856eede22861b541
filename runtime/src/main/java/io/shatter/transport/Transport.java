package io.shatter.transport;

/**
 * Moves encoded frames between ranks. Rank 0 is the broker; every other rank is a worker.
 *
 * <p>Transports carry bytes only (the runtime's own protocol, never Java serialization), so the
 * local transport, the MPI transports and the join channel all carry exactly the same messages.
 * Implementations are found with {@link java.util.ServiceLoader} or built directly.
 */
public interface Transport extends AutoCloseable {

    /** This process's rank. */
    int rank();

    /** How many ranks the transport connects, broker included. */
    int size();

    /**
     * Starts delivering incoming frames to {@code receiver}. Delivery may happen on any thread;
     * frames from one source arrive in the order they were sent.
     */
    void start(Receiver receiver);

    /** Sends one frame to {@code destination}; the frame must not be modified afterwards. */
    void send(int destination, byte[] frame);

    /**
     * Cuts the link to {@code rank} (the broker drops a peer that sent a malformed frame); whether
     * this transport could. A transport whose ranks are fixed processes (MPI, local threads) cannot,
     * and the broker ignores that rank's frames from then on.
     */
    default boolean disconnect(int rank, String reason) {
        return false;
    }

    /** Stops delivery and releases resources; pending sends are flushed first where possible. */
    @Override
    void close();

    /** Where a transport hands what it receives. */
    interface Receiver {

        /** One frame from {@code source}. */
        void onFrame(int source, byte[] frame);

        /** The peer is gone (its process died or its link broke); {@code reason} says how. */
        default void onPeerLost(int rank, String reason) {
        }
    }
}
