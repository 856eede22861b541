package io.shatter.slurm.join;

import java.time.Duration;

/**
 * Limits and timings of the join channel, the same on both ends.
 *
 * @param maxFrameBytes      longest runtime message accepted; a longer frame closes that connection
 * @param heartbeatInterval  how often a silent end sends a heartbeat
 * @param heartbeatTimeout   silence after which the other end is declared lost (several intervals)
 * @param helloTimeout       how long the broker waits for a new connection's token
 */
public record JoinSettings(int maxFrameBytes, Duration heartbeatInterval, Duration heartbeatTimeout, Duration helloTimeout) {
    /** 64 MiB frames; a heartbeat a second; lost after 10 s of silence; 10 s to present the token. */
    public static final JoinSettings DEFAULTS = new JoinSettings(64 << 20, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofSeconds(10));

    public JoinSettings {
        if (maxFrameBytes < 1 || maxFrameBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxFrameBytes must be between 1 and 2^31 - 17, got " + maxFrameBytes);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("the heartbeat timeout (" + heartbeatTimeout + ") must exceed the positive interval ("
                    + heartbeatInterval + ")");
        }
    }

    /** These settings with other heartbeat timings. */
    public JoinSettings withHeartbeat(Duration interval, Duration timeout) {
        return new JoinSettings(maxFrameBytes, interval, timeout, helloTimeout);
    }

    /** These settings with another frame limit. */
    public JoinSettings withMaxFrameBytes(int max) {
        return new JoinSettings(max, heartbeatInterval, heartbeatTimeout, helloTimeout);
    }
}
