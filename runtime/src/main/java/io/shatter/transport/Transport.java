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
     * The link of a rank whose process is fixed for the whole run (MPI, local threads): it has only
     * this one. A transport whose ranks are reused by new peers (the join channel) numbers each
     * connection anew, so a frame can be traced to the connection that sent it.
     */
    long FIXED_LINK = 0;

    /**
     * Cuts the link to {@code rank}, whichever connection holds that rank now (the broker sends away
     * a peer); whether this transport could. A transport whose ranks are fixed processes (MPI, local
     * threads) cannot, and the broker ignores that rank's frames from then on.
     */
    default boolean disconnect(int rank, String reason) {
        return false;
    }

    /**
     * Cuts {@code rank}'s connection {@code link} only (the one that sent a malformed frame): if that
     * rank has since been given to a new peer, the new peer keeps its connection. Whether this
     * transport could cut it, as for {@link #disconnect(int, String)}.
     */
    default boolean disconnect(int rank, long link, String reason) {
        return link == FIXED_LINK && disconnect(rank, reason);
    }

    /** Stops delivery and releases resources; pending sends are flushed first where possible. */
    @Override
    void close();

    /** Where a transport hands what it receives. */
    interface Receiver {

        /** One frame from {@code source}. */
        void onFrame(int source, byte[] frame);

        /**
         * One frame from {@code source} over its connection {@code link} (see {@link #FIXED_LINK});
         * transports whose ranks are reused call this one. By default the link is not needed.
         */
        default void onFrame(int source, long link, byte[] frame) {
            onFrame(source, frame);
        }

        /** The peer is gone (its process died or its link broke); {@code reason} says how. */
        default void onPeerLost(int rank, String reason) {
        }
    }
}
