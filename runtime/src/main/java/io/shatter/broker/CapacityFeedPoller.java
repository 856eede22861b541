package io.shatter.broker;

import io.shatter.ExcessCapacityFeed;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Event;
import io.shatter.spi.CapacitySample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * Polls an {@link ExcessCapacityFeed}'s source (a trace replay, a test's script) on the broker's
 * clock and hands each sample to the core, which feeds its forecaster and revokes or restores
 * excess ranks to match.
 */
public final class CapacityFeedPoller implements EventSource {
    private static final Logger LOG = LoggerFactory.getLogger(CapacityFeedPoller.class);

    private final ExcessCapacityFeed feed;
    private long nextDue;

    public CapacityFeedPoller(ExcessCapacityFeed feed, long startNanos) {
        this.feed = feed;
        this.nextDue = startNanos;
    }

    @Override
    public long nextDueNanos() {
        return nextDue;
    }

    @Override
    public void fire(long now, BrokerCore core, Consumer<Event> events) {
        if (core.isFinished()) {
            nextDue = Long.MAX_VALUE;
            return;
        }
        List<CapacitySample> samples;
        try {
            samples = feed.source().poll();
        } catch (Exception e) {
            LOG.warn("capacity source failed; excess ranks left as they are: {}", e.toString());
            samples = List.of();
        }
        for (CapacitySample sample : samples) {
            events.accept(new Event.CapacityObserved(sample));
        }
        nextDue = now + feed.pollEvery().toNanos();
    }
}
