package io.shatter.broker.core;

import io.shatter.Codecs;
import io.shatter.RankLayout;
import io.shatter.RunConfig;
import io.shatter.ShardGraph;
import io.shatter.broker.policy.Candidate;
import io.shatter.broker.policy.ClusterView;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.broker.policy.Placement;
import io.shatter.broker.policy.PlacementPolicy;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Shards the forecast holds back are not asked about one by one: after one waits, the alike shards
 * behind it in the same round wait without a policy call, and still count as held by the forecast.
 */
class AlikeWaitTest {
    /** Gives excess slots no chance: everything beyond the reserved rank waits. */
    private static final CapacityForecaster HOPELESS = new CapacityForecaster() {
        @Override
        public void observe(CapacitySample sample) {
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return 0;
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return 0;
        }
    };

    @Test
    void aShardAlikeToOneThatWaitedIsNotPlacedAgainInTheSameRound() {
        ShardGraph.Builder g = ShardGraph.builder("alike");
        for (int i = 0; i < 20; i++) {
            g.shard("s" + i).compute(Codecs.INT, ctx -> 1);
        }
        g.shard("big").cores(2).compute(Codecs.INT, ctx -> 2); // not alike: asked for itself
        ShardGraph graph = g.build();
        List<String> asked = new ArrayList<>();
        PlacementPolicy counting = new PlacementPolicy() {
            private final DefaultPlacementPolicy inner = new DefaultPlacementPolicy();

            @Override
            public Placement place(Candidate candidate, ClusterView cluster) {
                asked.add(candidate.spec().id());
                return inner.place(candidate, cluster);
            }
        };
        RunConfig config = RunConfig.builder().layout(RankLayout.of(1, 2, 0, 2)).build();
        BrokerCore core = new BrokerCore(graph, CoreSettings.of(config), counting, HOPELESS, c -> { });
        for (int rank = 1; rank <= 3; rank++) {
            core.handle(new Event.WorkerHello(rank, 2, List.of(), graph.fingerprint()), 0);
        }
        core.start(0);
        core.dispatch(0);
        // The reserved rank's 2 cores take s0 and s1; s2 waits; s3..s9 are alike and wait unasked (8 deferred, the lookahead).
        assertEquals(List.of("s0", "s1", "s2"), asked);
        assertEquals(8, core.summary(0, 0).placementsHeldByForecast(), "alike shards count as held by the forecast too");
    }
}
