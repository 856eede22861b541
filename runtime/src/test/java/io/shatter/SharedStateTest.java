package io.shatter;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker's shared key-value store under concurrent compare-and-set from many ranks. */
class SharedStateTest {

    /** Many shards on 4 ranks x 2 lanes increment one counter concurrently: no update is lost. */
    @Test
    void concurrentIncrementsLoseNoUpdate() {
        int shards = 300;
        int incrementsPerShard = 5;
        ShardGraph.Builder g = ShardGraph.builder("counter");
        List<Shard<Integer>> increments = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            increments.add(g.shard("inc-" + i).compute(Codecs.INT, ctx -> {
                for (int k = 0; k < incrementsPerShard; k++) {
                    ctx.shared().update("counter", Codecs.LONG, 0L, v -> v + 1);
                }
                return 1;
            }));
        }
        Shard<Long> total = g.shard("read").inputs(increments.toArray(new Shard<?>[0]))
                .compute(Codecs.LONG, ctx -> ctx.shared().get("counter", Codecs.LONG, -1L));
        RunResult result = Shatter.run(g.build(), RunConfig.builder().layout(RankLayout.of(4, 0, 0, 2)).build());

        assertEquals((long) shards * incrementsPerShard, result.get(total));
    }

    /** A write based on a stale version is refused; the key's version counts applied writes. */
    @Test
    void staleCompareAndSetIsRefused() {
        ShardGraph.Builder g = ShardGraph.builder("cas");
        Shard<String> outcome = g.shard("cas").compute(Codecs.STRING, ctx -> {
            SharedState s = ctx.shared();
            SharedState.Entry unset = s.get("bound");
            boolean first = s.compareAndSet("bound", 0, Codecs.DOUBLE.encode(3.5));
            boolean stale = s.compareAndSet("bound", 0, Codecs.DOUBLE.encode(9.0));
            SharedState.Entry now = s.get("bound");
            return unset.isSet() + " " + first + " " + stale + " " + now.version() + " " + Codecs.DOUBLE.decode(now.value());
        });
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 0, 0).build());

        String[] parts = result.get(outcome).split(" ");
        assertFalse(Boolean.parseBoolean(parts[0]), "a key never set reports version 0");
        assertTrue(Boolean.parseBoolean(parts[1]), "the first write applies");
        assertFalse(Boolean.parseBoolean(parts[2]), "a write from a stale version is refused");
        assertEquals("1", parts[3]);
        assertEquals("3.5", parts[4]);
    }
}
