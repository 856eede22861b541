package io.shatter.slurm.join;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.shatter.slurm.SlurmException;
import io.shatter.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's end of the join channel: a TLS 1.3 server that admits workers presenting the run's
 * token and gives each a rank from a fixed range of join ranks ({@code firstRank} up to
 * {@code firstRank + joinSlots - 1}); a rank freed by a lost worker is given to the next one.
 *
 * <p>Until a connection has presented the token it costs the broker little: at most
 * {@link JoinSettings#maxUnauthenticated()} such connections at once (more are closed on arrival),
 * each closed after {@link JoinSettings#helloTimeout()}, its frames limited to
 * {@value JoinProtocol#MAX_UNAUTHENTICATED_FRAME_BYTES} bytes, and no heartbeats sent to it.
 *
 * <p>As a {@link Transport} it is rank 0 and carries the runtime's frames unchanged. A worker is
 * reported lost through {@link Transport.Receiver#onPeerLost} when its connection closes, its
 * heartbeat stops, or it sends an oversized or malformed frame; only that connection is closed,
 * the server carries on. A wrong token is refused and logged without the token.
 */
public final class JoinServer implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(JoinServer.class);
    private static final AttributeKey<Integer> RANK = AttributeKey.valueOf("shatter.rank");
    /** This connection's number, unique in the run: a reused rank's new worker gets a new one. */
    private static final AttributeKey<Long> LINK = AttributeKey.valueOf("shatter.link");
    private static final AttributeKey<String> CLOSE_REASON = AttributeKey.valueOf("shatter.closeReason");

    private final String bindHost;
    private final int bindPort;
    private final JoinToken token;
    private final SslContext tls;
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final AtomicLong links = new AtomicLong(Transport.FIXED_LINK);
    private final int firstRank;
    private final Channel[] joined;
    private final JoinSettings settings;
    private volatile Receiver receiver;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private volatile boolean closed;

    /**
     * A server for {@code joinSlots} workers with ranks from {@code firstRank}, listening on
     * {@code bindHost:bindPort} (port 0: any free port; see {@link #address()}), with the TLS
     * identity {@code tls} ({@link JoinTls#createServer}); null only to measure what TLS costs
     * (benchmarks): runs never pass null.
     */
    public JoinServer(String bindHost, int bindPort, JoinToken token, SslContext tls, int firstRank, int joinSlots,
                      JoinSettings settings) {
        if (firstRank < 1 || joinSlots < 1) {
            throw new IllegalArgumentException("join ranks start at 1 or later and there must be at least one slot, got "
                    + firstRank + " and " + joinSlots);
        }
        this.bindHost = bindHost;
        this.bindPort = bindPort;
        this.token = token;
        this.tls = tls;
        this.firstRank = firstRank;
        this.joined = new Channel[joinSlots];
        this.settings = settings;
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return firstRank + joined.length;
    }

    /** Binds and starts admitting workers; their frames go to {@code receiver}. */
    @Override
    public synchronized void start(Receiver receiver) {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        this.receiver = receiver;
        boss = new NioEventLoopGroup(1);
        workers = new NioEventLoopGroup(2);
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (unauthenticated.incrementAndGet() > settings.maxUnauthenticated()) {
                            unauthenticated.decrementAndGet();
                            LOG.warn("Connection from {} closed: {} connections have not presented the token yet", ch.remoteAddress(),
                                    settings.maxUnauthenticated());
                            ch.close();
                            return;
                        }
                        JoinProtocol.addFraming(ch.pipeline(), tls == null ? null : tls.newHandler(ch.alloc()), settings,
                                JoinProtocol.MAX_UNAUTHENTICATED_FRAME_BYTES);
                        ch.pipeline().addLast("broker", new BrokerSide());
                    }
                });
        try {
            serverChannel = b.bind(bindHost, bindPort).sync().channel();
        } catch (Exception e) {
            close();
            throw new SlurmException("the join server cannot listen on " + bindHost + ":" + bindPort + " (" + e.getMessage()
                    + "); choose another port or address", e);
        }
        LOG.info("Join server listening on {}", serverChannel.localAddress());
    }

    /** Where workers connect. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Connections open now that have not presented the token. */
    public int unauthenticatedConnections() {
        return unauthenticated.get();
    }

    /** Ranks whose workers are connected now. */
    public synchronized List<Integer> joinedRanks() {
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < joined.length; i++) {
            if (joined[i] != null) {
                ranks.add(firstRank + i);
            }
        }
        return ranks;
    }

    @Override
    public void send(int destination, byte[] frame) {
        Channel ch = holder(destination);
        if (ch == null) {
            LOG.debug("dropping a frame for rank {}: no worker has that rank now", destination);
            return;
        }
        ch.writeAndFlush(JoinProtocol.frame(JoinProtocol.DATA, frame));
    }

    /**
     * Closes the connection that holds {@code rank} now, as when its worker is sent away; it is then
     * reported lost with {@code reason}. Always true for a join rank: its link can be cut.
     */
    @Override
    public boolean disconnect(int rank, String reason) {
        Channel ch = holder(rank);
        if (ch != null) {
            closeWith(ch, reason);
        }
        return true;
    }

    /**
     * Closes {@code rank}'s connection {@code link} (the one that sent a malformed frame) and no
     * other: when that connection is already gone and a new worker holds the rank, the new worker
     * keeps it. Always true for a join rank.
     */
    @Override
    public boolean disconnect(int rank, long link, String reason) {
        Channel ch = holder(rank);
        if (ch != null && Long.valueOf(link).equals(ch.attr(LINK).get())) {
            closeWith(ch, reason);
        }
        return true;
    }

    private synchronized Channel holder(int rank) {
        int i = rank - firstRank;
        return i >= 0 && i < joined.length ? joined[i] : null;
    }

    @Override
    public void close() {
        Channel server;
        List<Channel> open = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            server = serverChannel;
            for (Channel c : joined) {
                if (c != null) {
                    open.add(c);
                }
            }
        }
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        for (Channel c : open) {
            c.close().syncUninterruptibly(); // flushes what was queued before the close
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void closeWith(Channel ch, String reason) {
        ch.attr(CLOSE_REASON).setIfAbsent(reason);
        ch.close();
    }

    private synchronized int admit(Channel ch) {
        for (int i = 0; i < joined.length; i++) {
            if (joined[i] == null) {
                ch.attr(LINK).set(links.incrementAndGet());
                joined[i] = ch;
                return firstRank + i;
            }
        }
        return -1;
    }

    private synchronized boolean release(int rank, Channel ch) {
        int i = rank - firstRank;
        if (joined[i] == ch) {
            joined[i] = null;
            return true;
        }
        return false;
    }

    /** One connection's handler, on its Netty event loop thread. */
    private final class BrokerSide extends SimpleChannelInboundHandler<ByteBuf> {
        private ScheduledFuture<?> helloDeadline;
        private boolean counted = true; // among the unauthenticated until admitted or closed

        private void uncount() {
            if (counted) {
                counted = false;
                unauthenticated.decrementAndGet();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            helloDeadline = ctx.executor().schedule(() -> {
                if (ctx.channel().attr(RANK).get() == null) {
                    LOG.warn("Join from {} refused: no token within {}", ctx.channel().remoteAddress(),
                            JoinProtocol.seconds(settings.helloTimeout()));
                    closeWith(ctx.channel(), "no token in time");
                }
            }, settings.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (!frame.isReadable()) {
                malformed(ctx, "an empty frame");
                return;
            }
            byte type = frame.readByte();
            Integer rank = ctx.channel().attr(RANK).get();
            if (rank == null) {
                if (type != JoinProtocol.HELLO) {
                    malformed(ctx, "a frame of type " + type + " before the token");
                } else if (frame.readableBytes() > JoinProtocol.MAX_TOKEN_BYTES || !token.matches(JoinProtocol.payload(frame))) {
                    // The presented bytes are never logged: a near miss could be a typo of the real token.
                    LOG.warn("Join from {} refused: wrong token", ctx.channel().remoteAddress());
                    ctx.writeAndFlush(JoinProtocol.refused("wrong token")).addListener(f -> closeWith(ctx.channel(), "wrong token"));
                } else {
                    int assigned = closed ? -1 : admit(ctx.channel());
                    if (assigned < 0) {
                        LOG.warn("Join from {} refused: all {} join slots are taken", ctx.channel().remoteAddress(), joined.length);
                        ctx.writeAndFlush(JoinProtocol.refused("all " + joined.length + " join slots are taken"))
                                .addListener(f -> closeWith(ctx.channel(), "no free slot"));
                        return;
                    }
                    helloDeadline.cancel(false);
                    uncount();
                    ctx.channel().attr(RANK).set(assigned);
                    // Only now may frames be large: the rest of this connection's bytes go to the new decoder.
                    ctx.pipeline().replace(JoinProtocol.FRAME_DECODER, JoinProtocol.FRAME_DECODER,
                            JoinProtocol.frameDecoder(settings.maxFrameBytes()));
                    LOG.info("Worker from {} joined as rank {}", ctx.channel().remoteAddress(), assigned);
                    ctx.writeAndFlush(JoinProtocol.welcome(assigned, size()));
                }
                return;
            }
            switch (type) {
                case JoinProtocol.DATA -> {
                    Receiver r = receiver;
                    if (r != null) {
                        r.onFrame(rank, ctx.channel().attr(LINK).get(), JoinProtocol.payload(frame));
                    }
                }
                case JoinProtocol.HEARTBEAT -> {
                    // reading it reset the idle timer: that was its purpose
                }
                default -> malformed(ctx, "a frame of unknown type " + type);
            }
        }

        private void malformed(ChannelHandlerContext ctx, String what) {
            LOG.warn("Closing the connection from {}: it sent {}", ctx.channel().remoteAddress(), what);
            closeWith(ctx.channel(), "malformed frame: " + what);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE && ctx.channel().attr(RANK).get() != null) {
                    ctx.writeAndFlush(JoinProtocol.heartbeat()); // strangers get nothing, not even a sign of life
                } else if (idle.state() == IdleState.READER_IDLE && ctx.channel().attr(RANK).get() != null) {
                    LOG.warn("Rank {} is silent for {}: lost", ctx.channel().attr(RANK).get(),
                            JoinProtocol.seconds(settings.heartbeatTimeout()));
                    closeWith(ctx.channel(), "no heartbeat for " + JoinProtocol.seconds(settings.heartbeatTimeout()));
                }
                return;
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            boolean admitted = ctx.channel().attr(RANK).get() != null;
            String reason = cause instanceof TooLongFrameException
                    ? "oversized frame (limit " + (admitted ? settings.maxFrameBytes() : JoinProtocol.MAX_UNAUTHENTICATED_FRAME_BYTES)
                    + " bytes" + (admitted ? "" : " before the token") + ")"
                    : "connection error: " + cause.getMessage();
            LOG.warn("Closing the connection from {} (rank {}): {}", ctx.channel().remoteAddress(), ctx.channel().attr(RANK).get(), reason);
            closeWith(ctx.channel(), reason);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (helloDeadline != null) {
                helloDeadline.cancel(false);
            }
            uncount();
            Integer rank = ctx.channel().attr(RANK).get();
            if (rank != null && release(rank, ctx.channel())) {
                String reason = ctx.channel().attr(CLOSE_REASON).get();
                Receiver r = receiver;
                if (r != null && !closed) {
                    r.onPeerLost(rank, reason != null ? reason : "connection closed");
                }
            }
            ctx.fireChannelInactive();
        }
    }
}
