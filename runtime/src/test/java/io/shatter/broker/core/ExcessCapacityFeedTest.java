package io.shatter.broker.core;

import io.shatter.CapacityClass;
import io.shatter.Codecs;
import io.shatter.ExcessCapacityFeed;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.ShardGraph;

import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The core follows a capacity feed: excess ranks are revoked when idle cores fall and restored when they rise. */
class ExcessCapacityFeedTest {
    private static final long POLL_NANOS = Duration.ofMillis(100).toNanos();

    @Test
    void excessRanksFollowTheFeedsIdleCoresAndTheForecasterSeesEverySample() {
        // Idle cores per sample; 8 cores per excess rank, 3 excess ranks: alive = min(3, idle / 8).
        int[] idlePerPoll = {30, 17, 7, 7, 24, 100, 0};
        int[] expectedAlive = {3, 2, 0, 0, 3, 3, 0};
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
            public double survivalProbability(Duration runLength, double excessCores) {
                return 0; // keep work off excess ranks: this test is about the ranks themselves
            }
        };
        ShardGraph.Builder g = ShardGraph.builder("feed");
        g.shard("only").compute(Codecs.INT, ctx -> 1);
        ShardGraph graph = g.build();
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 3, 0, 1)).forecaster(recorder)
                .revokeGrace(Duration.ZERO)
                .excessCapacityFeed(new ExcessCapacityFeed(List::of, 8, Duration.ofNanos(POLL_NANOS))).build();
        List<Command> commands = new ArrayList<>();
        BrokerCore core = new BrokerCore(graph, CoreSettings.of(config), config.policy(), recorder, commands::add);
        long now = 0;
        for (int rank = 1; rank <= 4; rank++) {
            core.handle(new Event.WorkerHello(rank, 1, List.of(), graph.fingerprint()), now);
        }
        core.start(now);
        List<Integer> restored = new ArrayList<>();
        for (int poll = 0; poll < idlePerPoll.length; poll++) {
            commands.clear();
            core.handle(new Event.CapacityObserved(new CapacitySample(poll * 300L, "excess", 100, idlePerPoll[poll], 0)), now);
            core.handle(new Event.TimerDue(), now); // a zero grace ends at once
            // A restored rank rejoins with a hello, as the worker does on a restore message.
            for (Command c : commands) {
                if (c instanceof Command.Restore r) {
                    restored.add(r.rank());
                    core.handle(new Event.WorkerHello(r.rank(), 1, List.of(), graph.fingerprint()), now);
                }
            }
            long alive = core.ranks().stream().filter(r -> r.capacityClass() == CapacityClass.EXCESS && r.isActive()).count();
            assertEquals(expectedAlive[poll], alive, "excess ranks alive after sample " + poll + " (idle " + idlePerPoll[poll] + ")");
            now += POLL_NANOS;
        }
        assertEquals(idlePerPoll.length, observed.size(), "every sample reaches the forecaster");
        assertEquals(List.of(2, 3, 4), restored, "revoked ranks come back, lowest-numbered first");
        assertEquals(idlePerPoll.length, core.summary(0, now).capacitySamples());
    }

    @Test
    void excessRanksJoiningAfterASampleThatAllowsFewerAreRevokedHighestFirst() {
        // 8 cores per excess rank, 5 excess ranks (2..6); the first sample (17 idle) allows 2 while all still join.
        ShardGraph.Builder g = ShardGraph.builder("feed");
        g.shard("only").compute(Codecs.INT, ctx -> 1);
        ShardGraph graph = g.build();
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 5, 0, 1)).revokeGrace(Duration.ZERO)
                .excessCapacityFeed(new ExcessCapacityFeed(List::of, 8, Duration.ofNanos(POLL_NANOS))).build();
        List<Command> commands = new ArrayList<>();
        BrokerCore core = new BrokerCore(graph, CoreSettings.of(config), config.policy(), config.forecaster(), commands::add);
        core.handle(new Event.CapacityObserved(new CapacitySample(0, "excess", 100, 17, 0)), 0);
        // Out of order on purpose: the highest live ranks go, whatever order they joined in.
        for (int rank : new int[] {6, 1, 4, 2, 5, 3}) {
            core.handle(new Event.WorkerHello(rank, 1, List.of(), graph.fingerprint()), 0);
        }
        List<Integer> revoked = new ArrayList<>();
        for (Command c : commands) {
            if (c instanceof Command.Revoke r) {
                revoked.add(r.rank());
            }
        }
        List<Integer> alive = core.ranks().stream().filter(r -> r.capacityClass() == CapacityClass.EXCESS && r.isActive())
                .map(r -> r.rank()).toList();
        assertEquals(List.of(2, 3), alive, "the sample allows two excess ranks: the lowest stay");
        assertEquals(List.of(6, 5, 4), revoked, "each rank joining beyond the allowance revokes the highest live one");
    }
}
