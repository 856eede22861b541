package io.shatter.slurm.join;

import java.time.Duration;

/**
 * Limits and timings of the join channel, the same on both ends.
 *
 * @param maxFrameBytes       longest runtime message accepted from an admitted worker; a longer frame closes that connection
 * @param heartbeatInterval   how often a silent end sends a heartbeat
 * @param heartbeatTimeout    silence after which the other end is declared lost (several intervals)
 * @param helloTimeout        how long the broker waits for a new connection's TLS handshake and token
 * @param maxUnauthenticated  connections that have not presented the token yet, at most; more are closed at once
 */
public record JoinSettings(int maxFrameBytes, Duration heartbeatInterval, Duration heartbeatTimeout, Duration helloTimeout,
                           int maxUnauthenticated) {
    /** 64 MiB frames; a heartbeat a second; lost after 10 s of silence; 5 s to present the token; 8 strangers at once. */
    public static final JoinSettings DEFAULTS = new JoinSettings(64 << 20, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(5), 8);

    public JoinSettings {
        if (maxFrameBytes < 1 || maxFrameBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxFrameBytes must be between 1 and 2^31 - 17, got " + maxFrameBytes);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("the heartbeat timeout (" + heartbeatTimeout + ") must exceed the positive interval ("
                    + heartbeatInterval + ")");
        }
        if (helloTimeout.isNegative() || helloTimeout.isZero()) {
            throw new IllegalArgumentException("the hello timeout must be positive, got " + helloTimeout);
        }
        if (maxUnauthenticated < 1) {
            throw new IllegalArgumentException("at least one unauthenticated connection must be allowed, got " + maxUnauthenticated);
        }
    }

    /** These settings with other heartbeat timings. */
    public JoinSettings withHeartbeat(Duration interval, Duration timeout) {
        return new JoinSettings(maxFrameBytes, interval, timeout, helloTimeout, maxUnauthenticated);
    }

    /** These settings with another frame limit. */
    public JoinSettings withMaxFrameBytes(int max) {
        return new JoinSettings(max, heartbeatInterval, heartbeatTimeout, helloTimeout, maxUnauthenticated);
    }

    /** These settings with another deadline and cap for connections that have not presented the token. */
    public JoinSettings withUnauthenticated(Duration timeout, int max) {
        return new JoinSettings(maxFrameBytes, heartbeatInterval, heartbeatTimeout, timeout, max);
    }
}
