package io.shatter.slurm.join;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.shatter.slurm.SlurmException;
import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker's end of the join channel: connects to the broker over TLS 1.3, accepts only the
 * certificate whose fingerprint the broker wrote into the run directory, then presents the run's
 * token (so the token never crosses the network in clear, nor reaches an impostor), and is given a rank. As a {@link Transport} it talks to rank 0 only. When the broker's heartbeat stops
 * or the connection breaks, the broker is reported lost through {@link Transport.Receiver#onPeerLost}.
 */
public final class JoinClient implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(JoinClient.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final JoinSettings settings;
    private final int rank;
    private final int size;
    private final Object lock = new Object();
    private Receiver receiver;
    private List<byte[]> early = new ArrayList<>();
    private volatile String closeReason;
    private volatile boolean closed;
    private boolean lostReported;

    private JoinClient(EventLoopGroup group, Channel channel, JoinSettings settings, int rank, int size) {
        this.group = group;
        this.channel = channel;
        this.settings = settings;
        this.rank = rank;
        this.size = size;
    }

    /**
     * Connects to the broker at {@code host:port}, checks that its certificate has the SHA-256
     * {@code fingerprint} ({@link JoinTls#readFingerprint}), and joins with {@code token}, waiting
     * at most {@code timeout} for the answer.
     *
     * <p>A null {@code fingerprint} joins in plain text, only to measure what TLS costs (benchmarks,
     * against a server made without TLS); runs never pass null.
     *
     * @throws SlurmException when the broker cannot be reached, is not the broker of the fingerprint, refuses the join
     *                        (saying why), or does not answer
     */
    public static JoinClient connect(String host, int port, JoinToken token, String fingerprint, JoinSettings settings,
                                     Duration timeout) {
        SslContext tls = fingerprint == null ? null : JoinTls.client(fingerprint);
        EventLoopGroup group = new NioEventLoopGroup(1);
        CompletableFuture<int[]> welcome = new CompletableFuture<>();
        JoinClient[] self = new JoinClient[1];
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        JoinProtocol.addFraming(ch.pipeline(), tls == null ? null : tls.newHandler(ch.alloc(), host, port), settings,
                                settings.maxFrameBytes());
                        ch.pipeline().addLast("worker", new WorkerSide(welcome, self));
                    }
                });
        String where = host + ":" + port;
        try {
            Channel ch = b.connect(host, port).sync().channel();
            SslHandler sslHandler = ch.pipeline().get(SslHandler.class);
            io.netty.util.concurrent.Future<Channel> handshake = sslHandler == null
                    ? ch.eventLoop().newSucceededFuture(ch) : sslHandler.handshakeFuture();
            if (!handshake.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException();
            }
            if (!handshake.isSuccess()) {
                ch.close();
                throw new SlurmException("no TLS 1.3 session with the broker at " + where + " (" + handshake.cause().getMessage()
                        + "); its certificate must have the fingerprint in the run's " + JoinTls.FINGERPRINT_FILE
                        + ": is it the broker of this run, and is the fingerprint file the one it wrote when it started?");
            }
            ch.writeAndFlush(JoinProtocol.frame(JoinProtocol.HELLO, token.bytes()));
            int[] assigned = welcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JoinClient client = new JoinClient(group, ch, settings, assigned[0], assigned[1]);
            synchronized (self) {
                self[0] = client;
                self.notifyAll();
            }
            if (!ch.isActive()) {
                client.onLost("the broker closed the connection right after admitting this worker");
            }
            LOG.info("Joined the broker at {} as rank {}", where, assigned[0]);
            return client;
        } catch (SlurmException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        } catch (ExecutionException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new SlurmException("the broker at " + where + " refused this worker: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new SlurmException("the broker at " + where + " did not answer within " + JoinProtocol.seconds(timeout)
                    + "; is it the broker of this run, and is it still running?", e);
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            Thread.currentThread().interrupt();
            throw new SlurmException("interrupted while joining " + where, e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new SlurmException("cannot connect to the broker at " + where + " (" + e.getMessage()
                    + "); check the address and that the run's broker is running", e);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void start(Receiver receiver) {
        List<byte[]> pending;
        boolean lost;
        synchronized (lock) {
            this.receiver = receiver;
            pending = early;
            early = null;
            lost = lostReported;
        }
        for (byte[] f : pending) {
            receiver.onFrame(0, f);
        }
        if (lost) {
            receiver.onPeerLost(0, closeReason);
        }
    }

    @Override
    public void send(int destination, byte[] frame) {
        if (destination != 0) {
            throw new IllegalArgumentException("a joined worker talks to the broker (rank 0) only, not to rank " + destination);
        }
        channel.writeAndFlush(JoinProtocol.frame(JoinProtocol.DATA, frame));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close().syncUninterruptibly(); // flushes what was queued before the close
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void deliver(byte[] frame) {
        Receiver r;
        synchronized (lock) {
            r = receiver;
            if (r == null) {
                early.add(frame); // arrived before start(): kept in order
                return;
            }
        }
        r.onFrame(0, frame);
    }

    private void onLost(String reason) {
        Receiver r;
        synchronized (lock) {
            if (lostReported || closed) {
                return;
            }
            lostReported = true;
            closeReason = reason;
            r = receiver;
        }
        if (r != null) {
            r.onPeerLost(0, reason);
        }
    }

    /** The connection's handler, on its Netty event loop thread. */
    private static final class WorkerSide extends SimpleChannelInboundHandler<ByteBuf> {
        private final CompletableFuture<int[]> welcome;
        private final JoinClient[] self;
        private String reason;

        WorkerSide(CompletableFuture<int[]> welcome, JoinClient[] self) {
            this.welcome = welcome;
            this.self = self;
        }

        private JoinClient client() {
            synchronized (self) {
                return self[0];
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (!frame.isReadable()) {
                fail(ctx, "the broker sent an empty frame");
                return;
            }
            byte type = frame.readByte();
            switch (type) {
                case JoinProtocol.WELCOME -> {
                    if (frame.readableBytes() != 8) {
                        fail(ctx, "the broker's welcome is malformed");
                    } else {
                        welcome.complete(new int[] {frame.readInt(), frame.readInt()});
                    }
                }
                case JoinProtocol.REFUSED -> {
                    String why = frame.toString(StandardCharsets.UTF_8);
                    welcome.completeExceptionally(new SlurmException(why));
                    reason = "refused: " + why;
                    ctx.close();
                }
                case JoinProtocol.DATA -> {
                    byte[] payload = JoinProtocol.payload(frame);
                    JoinClient c = client();
                    if (c == null) {
                        // DATA can only follow WELCOME; the client object is published right after it
                        waitForClient().deliver(payload);
                    } else {
                        c.deliver(payload);
                    }
                }
                case JoinProtocol.HEARTBEAT -> {
                    // reading it reset the idle timer
                }
                default -> fail(ctx, "the broker sent a frame of unknown type " + type);
            }
        }

        private JoinClient waitForClient() {
            synchronized (self) {
                while (self[0] == null) {
                    try {
                        self.wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                return self[0];
            }
        }

        private void fail(ChannelHandlerContext ctx, String why) {
            LOG.warn("Closing the join connection: {}", why);
            reason = why;
            welcome.completeExceptionally(new SlurmException(why));
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE && welcome.isDone()) {
                    // not before the welcome: until then the broker accepts nothing but the token
                    ctx.writeAndFlush(JoinProtocol.heartbeat());
                } else if (idle.state() == IdleState.READER_IDLE && welcome.isDone()) { // before it, connect's timeout rules
                    JoinClient c = client();
                    reason = "no heartbeat from the broker for " + (c == null ? "too long" : JoinProtocol.seconds(c.settings.heartbeatTimeout()));
                    LOG.warn("Broker lost: {}", reason);
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause instanceof TooLongFrameException ? "the broker sent an oversized frame" : "connection error: " + cause.getMessage());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            String why = reason != null ? reason : "the broker closed the connection";
            welcome.completeExceptionally(new SlurmException(why));
            JoinClient c = client();
            if (c != null) {
                c.onLost(why);
            }
            ctx.fireChannelInactive();
        }
    }
}
