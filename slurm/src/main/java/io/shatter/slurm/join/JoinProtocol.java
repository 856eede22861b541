package io.shatter.slurm.join;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The join channel's framing: every frame is a 4-byte big-endian length, then one type byte, then
 * the payload. DATA payloads are the runtime's own encoded messages, untouched; the other types
 * only admit a worker and keep the link alive. Netty's length-field codec does the framing and
 * rejects a frame longer than the limit before reading it. Everything travels inside TLS 1.3
 * ({@link JoinTls}); until a connection has presented the token its limit is a few kilobytes.
 */
final class JoinProtocol {
    /** Worker to broker, first frame: the run's token. */
    static final byte HELLO = 1;
    /** Broker to worker: admitted, with the rank (int) and the transport size (int). */
    static final byte WELCOME = 2;
    /** Broker to worker: refused, with the reason as UTF-8; the broker then closes. */
    static final byte REFUSED = 3;
    /** Either way: one runtime message frame. */
    static final byte DATA = 4;
    /** Either way: nothing to say, still alive. */
    static final byte HEARTBEAT = 5;

    /** Longest token the broker reads (the run's token is 64 hex digits). */
    static final int MAX_TOKEN_BYTES = 256;
    /**
     * Longest frame the broker reads from a connection that has not presented the token: a HELLO
     * fits with room to spare, and a stranger cannot make the broker buffer more than this.
     */
    static final int MAX_UNAUTHENTICATED_FRAME_BYTES = 4096;

    private JoinProtocol() {
    }

    /**
     * Adds TLS, framing and heartbeats to a new connection's pipeline; frames longer than
     * {@code maxFrameBytes} close the connection before they are read.
     */
    static void addFraming(ChannelPipeline pipeline, SslHandler tls, JoinSettings settings, int maxFrameBytes) {
        if (tls != null) { // null only in benchmarks that measure what TLS costs
            pipeline.addLast("tls", tls);
        }
        pipeline.addLast("idle", new IdleStateHandler(settings.heartbeatTimeout().toMillis(), settings.heartbeatInterval().toMillis(),
                0, TimeUnit.MILLISECONDS));
        pipeline.addLast(FRAME_DECODER, frameDecoder(maxFrameBytes));
        pipeline.addLast("framePrepender", new LengthFieldPrepender(4));
    }

    static final String FRAME_DECODER = "frameDecoder";

    /** Netty's limit counts the 4-byte length field and the type byte too. */
    static LengthFieldBasedFrameDecoder frameDecoder(int maxFrameBytes) {
        return new LengthFieldBasedFrameDecoder(maxFrameBytes + 5, 0, 4, 0, 4);
    }

    static ByteBuf frame(byte type, byte[] payload) {
        return Unpooled.wrappedBuffer(new byte[] {type}, payload); // no copy of the payload
    }

    static ByteBuf welcome(int rank, int size) {
        ByteBuf b = Unpooled.buffer(9);
        b.writeByte(WELCOME).writeInt(rank).writeInt(size);
        return b;
    }

    static ByteBuf refused(String reason) {
        return frame(REFUSED, reason.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuf heartbeat() {
        return Unpooled.wrappedBuffer(new byte[] {HEARTBEAT});
    }

    static byte[] payload(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        return bytes;
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
