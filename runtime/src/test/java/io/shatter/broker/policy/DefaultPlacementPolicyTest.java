package io.shatter.broker.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.shatter.CapacityClass;
import io.shatter.Codecs;
import io.shatter.ShardGraph;
import io.shatter.graph.ShardSpec;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.CapacitySample;
import io.shatter.spi.PersistenceForecaster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The excess-slot rule of {@link DefaultPlacementPolicy}: the survival question is asked per slot. */
class DefaultPlacementPolicyTest {
    /** Idle cores each excess rank stands for, as an {@link io.shatter.ExcessCapacityFeed} would map them. */
    private static final int CORES_PER_EXCESS_RANK = 8;

    private static final ShardSpec SPEC;

    static {
        ShardGraph.Builder g = ShardGraph.builder("placement");
        g.shard("only").compute(Codecs.INT, ctx -> 1);
        SPEC = g.build().shards().get(0);
    }

    private static final Candidate CANDIDATE = candidateOf(SPEC);

    /** A shard to place, never failed anywhere, with no inputs to move. */
    private static Candidate candidateOf(ShardSpec spec) {
        return new Candidate() {
            @Override
            public ShardSpec spec() {
                return spec;
            }

            @Override
            public boolean failedOn(int rank) {
                return false;
            }

            @Override
            public long inputBytesMissingOn(int rank) {
                return 0;
            }
        };
    }

    /**
     * A forecaster whose odds depend on the idle cores asked for: 8 and 16 cores are very likely to
     * stay, 24 (every excess rank) is not. Records the questions.
     */
    private static class CoreDependentForecaster implements CapacityForecaster {
        final List<Double> asked = new ArrayList<>();

        @Override
        public void observe(CapacitySample sample) {
        }

        @Override
        public double expectedIdleCores(Duration horizon) {
            return 20;
        }

        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            asked.add(excessCores);
            return excessCores <= 8 ? 0.99 : excessCores <= 16 ? 0.95 : 0.3;
        }
    }

    private record Rank(int rank, CapacityClass capacityClass, boolean isActive, int freeCores) implements RankView {
        @Override
        public int cores() {
            return 1;
        }

        @Override
        public int freeUnits() {
            return freeCores;
        }

        @Override
        public int pipelineDepth() {
            return 1;
        }

        @Override
        public double load() {
            return 1 - freeCores;
        }

        @Override
        public Set<String> capabilities() {
            return Set.of();
        }

        @Override
        public List<? extends AttemptView> attempts() {
            return List.of();
        }
    }

    private record Cluster(List<Rank> ranks, CapacityForecaster forecaster) implements ClusterView {
        @Override
        public long expectedRunNanos() {
            return Duration.ofMinutes(40).toNanos();
        }

        @Override
        public int partitionCoresOf(RankView excessRank) {
            return CORES_PER_EXCESS_RANK;
        }
    }

    /** Rank 1 reserved and busy; ranks 2 to 4 excess, active as given, free as given. */
    private static Cluster cluster(CapacityForecaster forecaster, boolean[] excessActive, boolean[] excessFree) {
        List<Rank> ranks = new ArrayList<>();
        ranks.add(new Rank(1, CapacityClass.RESERVED, true, 0));
        for (int i = 0; i < 3; i++) {
            ranks.add(new Rank(2 + i, CapacityClass.EXCESS, excessActive[i], excessFree[i] ? 1 : 0));
        }
        return new Cluster(ranks, forecaster);
    }

    @Test
    void asksPerSlotWithTheCoresOfEveryLiveExcessRankBelowAndTakesTheSafestFreeSlot() {
        CoreDependentForecaster forecaster = new CoreDependentForecaster();
        Placement p = new DefaultPlacementPolicy(0.9).place(CANDIDATE,
                cluster(forecaster, new boolean[] {true, true, true}, new boolean[] {true, true, true}));
        assertEquals(Placement.on(2), p, "the lowest excess rank, revoked last, is the safest");
        // Rank 2 survives with 8 idle cores, rank 3 needs rank 2's too, rank 4 needs all three ranks'.
        assertEquals(List.of(8.0, 16.0, 24.0), forecaster.asked);
    }

    @Test
    void takesTheNextSafeSlotWhenTheSafestIsBusy() {
        Placement p = new DefaultPlacementPolicy(0.9).place(CANDIDATE,
                cluster(new CoreDependentForecaster(), new boolean[] {true, true, true}, new boolean[] {false, true, true}));
        assertEquals(Placement.on(3), p, "16 idle cores stay with odds 0.95");
    }

    @Test
    void refusesTheRiskyTopSlotAndWaits() {
        Placement p = new DefaultPlacementPolicy(0.9).place(CANDIDATE,
                cluster(new CoreDependentForecaster(), new boolean[] {true, true, true}, new boolean[] {false, false, true}));
        assertEquals(Placement.HELD_BY_FORECAST, p, "the top slot needs 24 idle cores, odds 0.3 < 0.9: held back by the forecast");
    }

    @Test
    void aRevokedRankBelowDoesNotCountTowardsASlotsNeeds() {
        CoreDependentForecaster forecaster = new CoreDependentForecaster();
        Placement p = new DefaultPlacementPolicy(0.9).place(CANDIDATE,
                cluster(forecaster, new boolean[] {false, false, true}, new boolean[] {true, true, true}));
        assertEquals(Placement.on(4), p, "with ranks 2 and 3 revoked, rank 4 is the only live one: 8 cores");
        assertEquals(List.of(8.0), forecaster.asked);
    }

    /** The definition the range splitter uses gives the cores the policy's running sum asks about. */
    @Test
    void excessCoresToKeepCountsTheLiveExcessRanksUpToTheSlot() {
        Cluster c = cluster(new CoreDependentForecaster(), new boolean[] {true, false, true}, new boolean[] {true, true, true});
        assertEquals(8.0, c.excessCoresToKeep(c.ranks().get(1)));
        assertEquals(8.0, c.excessCoresToKeep(c.ranks().get(2)), "rank 3 is revoked: its own cores are not counted");
        assertEquals(16.0, c.excessCoresToKeep(c.ranks().get(3)), "rank 4 needs its own and rank 2's, not revoked rank 3's");
    }

    @Test
    void aLowerBarTakesTheRiskyTopSlot() {
        Placement p = new DefaultPlacementPolicy(0.25).place(CANDIDATE,
                cluster(new CoreDependentForecaster(), new boolean[] {true, true, true}, new boolean[] {false, false, true}));
        assertEquals(Placement.on(4), p);
    }

    /** A resumable shard of the graph, saving its state every {@code every} (null: the run's default). */
    private static Candidate resumable(Duration every) {
        ShardGraph.Builder g = ShardGraph.builder("resumable");
        ShardGraph.ShardBuilder shard = g.shard("steps");
        if (every != null) {
            shard.checkpointEvery(every);
        }
        shard.resumable(Codecs.LONG, Codecs.LONG, new io.shatter.Resumable<Long, Long>() {
            @Override
            public Long start(io.shatter.ShardContext context) {
                return 0L;
            }

            @Override
            public Long step(Long state, io.shatter.ShardContext context) {
                return state + 1;
            }

            @Override
            public boolean isDone(Long state) {
                return state >= 10;
            }

            @Override
            public Long finish(Long state, io.shatter.ShardContext context) {
                return state;
            }
        });
        return candidateOf(g.build().shards().get(0));
    }

    /** Odds 0.6 for the top slot (24 cores), safe below. */
    private static final class FairTopSlotForecaster extends CoreDependentForecaster {
        @Override
        public double survivalProbability(Duration runLength, double excessCores) {
            return excessCores <= 16 ? 0.99 : 0.6;
        }
    }

    @Test
    void theBarFallsWithTheWorkARevocationWouldLose() {
        DefaultPlacementPolicy policy = new DefaultPlacementPolicy(0.9);
        Cluster c = cluster(new FairTopSlotForecaster(), new boolean[] {true, true, true}, new boolean[] {false, false, true});
        assertEquals(0.9, policy.survivalBar(CANDIDATE, c), 1e-12, "a plain shard loses its whole run");
        assertEquals(Placement.HELD_BY_FORECAST, policy.place(CANDIDATE, c));
        // 40-minute runs saving their state every 4 minutes risk a tenth of the run: w r = 9 * 0.1, bar 0.9 / 1.9.
        Candidate checkpointed = resumable(Duration.ofMinutes(4));
        assertEquals(0.9 / 1.9, policy.survivalBar(checkpointed, c), 1e-12);
        assertEquals(Placement.on(4), policy.place(checkpointed, c), "odds 0.6 are worth a tenth of a run");
        assertEquals(0.9, policy.survivalBar(resumable(Duration.ofHours(1)), c), 1e-12, "a checkpoint after the run saves nothing");
        assertEquals(0.9, policy.survivalBar(resumable(null), c), 1e-12, "the run's default interval is not known to this view");
    }

    @Test
    void persistenceKeepsASlotExactlyWhenTheLastSampleCoversIt() {
        PersistenceForecaster persistence = new PersistenceForecaster();
        Duration run = Duration.ofMinutes(40);
        assertEquals(1.0, persistence.survivalProbability(run, 24), "nothing known yet: do not hold work back");
        persistence.observe(new CapacitySample(0, "excess", 100, 16, 0));
        assertEquals(1.0, persistence.survivalProbability(run, 8));
        assertEquals(1.0, persistence.survivalProbability(run, 16));
        assertEquals(0.0, persistence.survivalProbability(run, 24));
        // With persistence every live slot of a feed is covered: the policy places as if there were no forecast.
        Placement p = new DefaultPlacementPolicy().place(CANDIDATE,
                cluster(persistence, new boolean[] {true, true, false}, new boolean[] {false, true, true}));
        assertEquals(Placement.on(3), p);
    }
}
