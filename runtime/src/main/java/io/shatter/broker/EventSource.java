package io.shatter.broker;

import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Event;

import java.util.function.Consumer;

/**
 * Something besides the workers that produces events on the broker's clock: fault injection
 * ({@link ChaosRevoker}), a capacity feed ({@link CapacityFeedPoller}). The loop fires it when due; so
 * does the simulator ({@code shatter-simulator}), on its simulated clock, with the very same sources.
 */
public interface EventSource {

    /** When it next wants to fire, on the broker's clock; {@link Long#MAX_VALUE} for never. */
    long nextDueNanos();

    /** Fires at {@code now}: looks at {@code core} (read only) and emits events. */
    void fire(long now, BrokerCore core, Consumer<Event> events);
}
