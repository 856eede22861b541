package io.shatter.broker;

import io.shatter.CapacityClass;
import io.shatter.Codecs;
import io.shatter.ExcessCapacityFeed;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.ShardGraph;
import io.shatter.protocol.WireWriter;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.CapacitySource;
import io.shatter.time.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The broker follows a capacity feed: excess ranks are revoked when idle cores fall and restored when they rise. */
class ExcessCapacityFeedTest {
    private static final long POLL_NANOS = Duration.ofMillis(100).toNanos();

    @Test
    void excessRanksFollowTheFeedsIdleCoresAndTheForecasterSeesEverySample() {
        // Idle cores per poll; 8 cores per excess rank, 3 excess ranks: alive = min(3, idle / 8).
        int[] idlePerPoll = {30, 17, 7, 7, 24, 100, 0};
        int[] expectedAlive = {3, 2, 0, 0, 3, 3, 0};
        Deque<CapacitySample> script = new ArrayDeque<>();
        for (int i = 0; i < idlePerPoll.length; i++) {
            script.add(new CapacitySample(i * 300L, "excess", 100, idlePerPoll[i], 0));
        }
        CapacitySource source = () -> script.isEmpty() ? List.of() : List.of(script.poll());
        List<CapacitySample> observed = new ArrayList<>();
        CapacityForecaster recorder = new CapacityForecaster() {
            @Override
            public void observe(CapacitySample sample) {
                observed.add(sample);
            }

            @Override
            public double expectedIdleCores(Duration horizon) {
                return 0;
            }

            @Override
            public double survivalProbability(Duration runLength) {
                return 0; // keep work off excess ranks: this test is about the ranks themselves
            }
        };
        ShardGraph.Builder g = ShardGraph.builder("feed");
        g.shard("only").compute(Codecs.INT, ctx -> 1);
        ShardGraph graph = g.build();
        ManualClock clock = new ManualClock();
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 3, 0, 1)).forecaster(recorder).clock(clock)
                .revokeGrace(Duration.ZERO)
                .excessCapacityFeed(new ExcessCapacityFeed(source, 8, Duration.ofNanos(POLL_NANOS))).build();
        Scheduler scheduler = new Scheduler(graph, config, rank -> new WireWriter(64), clock);
        for (int rank = 1; rank <= 4; rank++) {
            scheduler.onHello(rank, 1, List.of(), graph.fingerprint());
        }
        scheduler.start();
        List<Integer> restored = new ArrayList<>();
        for (int poll = 0; poll < idlePerPoll.length; poll++) {
            scheduler.runDueTimers();
            // A restored rank rejoins with a hello, as the worker does on a restore message.
            for (RankView r : scheduler.ranks()) {
                if (r.capacityClass() == CapacityClass.EXCESS && ((RankSlot) r).status == RankSlot.Status.JOINING) {
                    restored.add(r.rank());
                    scheduler.onHello(r.rank(), 1, List.of(), graph.fingerprint());
                }
            }
            long alive = scheduler.ranks().stream().filter(r -> r.capacityClass() == CapacityClass.EXCESS && r.isActive()).count();
            assertEquals(expectedAlive[poll], alive, "excess ranks alive after poll " + poll + " (idle " + idlePerPoll[poll] + ")");
            clock.advance(POLL_NANOS);
        }
        assertEquals(idlePerPoll.length, observed.size(), "every sample reaches the forecaster");
        assertEquals(List.of(2, 3, 4), restored, "revoked ranks come back, lowest-numbered first");
    }
}
