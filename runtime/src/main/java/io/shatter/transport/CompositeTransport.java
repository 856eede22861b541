package io.shatter.transport;

import java.util.Objects;

/**
 * The broker's view of two transports as one: ranks {@code 0 .. fixed.size()-1} on the transport the
 * run started with (local threads or MPI), the ranks after them on a join channel whose workers come
 * and go (excess workers in their own Slurm jobs, outside MPI_COMM_WORLD). Rank 0 only.
 */
public final class CompositeTransport implements Transport {
    private final Transport fixed;
    private final Transport joined;

    /**
     * @param fixed  rank 0 of the run's own ranks
     * @param joined rank 0 of the join channel; its ranks start at {@code fixed.size()}
     */
    public CompositeTransport(Transport fixed, Transport joined) {
        this.fixed = Objects.requireNonNull(fixed);
        this.joined = Objects.requireNonNull(joined);
        if (fixed.rank() != 0 || joined.rank() != 0) {
            throw new IllegalArgumentException("a composite transport is the broker's (rank 0) on both sides");
        }
        if (joined.size() < fixed.size()) {
            throw new IllegalArgumentException("the join channel's ranks must follow the fixed ranks 0.." + (fixed.size() - 1)
                    + ", but it has only " + joined.size());
        }
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return joined.size();
    }

    @Override
    public void start(Receiver receiver) {
        fixed.start(receiver);
        joined.start(receiver);
    }

    @Override
    public void send(int destination, byte[] frame) {
        if (destination < fixed.size()) {
            fixed.send(destination, frame);
        } else {
            joined.send(destination, frame);
        }
    }

    @Override
    public boolean disconnect(int rank, String reason) {
        return rank < fixed.size() ? fixed.disconnect(rank, reason) : joined.disconnect(rank, reason);
    }

    @Override
    public boolean disconnect(int rank, long link, String reason) {
        return rank < fixed.size() ? fixed.disconnect(rank, link, reason) : joined.disconnect(rank, link, reason);
    }

    @Override
    public void close() {
        try {
            joined.close();
        } finally {
            fixed.close();
        }
    }
}
