package io.shatter.broker;

import io.shatter.CapacityClass;
import io.shatter.RankLayout;
import io.shatter.broker.core.BrokerCore;
import io.shatter.broker.core.Event;
import io.shatter.broker.policy.RankView;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@code --revoke-every}: fault injection as just another event source. Every interval it asks the
 * core to revoke a random live excess rank (seeded: the same seed picks the same ranks) and, an
 * interval later, to restore it. Joined workers are left alone: their batch system revokes them.
 */
public final class ChaosRevoker implements EventSource {
    private final long everyNanos;
    private final long graceNanos;
    private final RankLayout layout;
    private final Random random;
    /** Revocation or restore instants still to come, with the rank to restore (0: pick a rank to revoke). */
    private final List<long[]> due = new ArrayList<>();

    public ChaosRevoker(long startNanos, long everyNanos, long graceNanos, RankLayout layout, long seed) {
        this.everyNanos = everyNanos;
        this.graceNanos = graceNanos;
        this.layout = layout;
        this.random = new Random(seed);
        due.add(new long[] {startNanos + everyNanos, 0});
    }

    @Override
    public long nextDueNanos() {
        long next = Long.MAX_VALUE;
        for (long[] d : due) {
            next = Math.min(next, d[0]);
        }
        return next;
    }

    @Override
    public void fire(long now, BrokerCore core, Consumer<Event> events) {
        if (core.isFinished()) {
            due.clear();
            return;
        }
        List<long[]> fired = new ArrayList<>();
        for (long[] d : due) {
            if (d[0] <= now) {
                fired.add(d);
            }
        }
        fired.sort((a, b) -> Long.compare(a[0], b[0]));
        due.removeAll(fired);
        for (long[] d : fired) {
            if (d[1] > 0) {
                events.accept(new Event.RestoreRequested((int) d[1]));
                continue;
            }
            List<Integer> candidates = new ArrayList<>();
            for (RankView r : core.ranks()) {
                if (r.capacityClass() == CapacityClass.EXCESS && r.isActive() && !layout.isJoinSlot(r.rank())) {
                    candidates.add(r.rank());
                }
            }
            if (!candidates.isEmpty()) {
                int victim = candidates.get(random.nextInt(candidates.size()));
                events.accept(new Event.RevokeRequested(victim, graceNanos));
                due.add(new long[] {d[0] + everyNanos, victim});
            }
            due.add(new long[] {d[0] + everyNanos, 0});
        }
    }
}
