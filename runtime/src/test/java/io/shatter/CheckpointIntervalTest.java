package io.shatter;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A resumable shard saves its state every N steps when asked to, whatever the time interval. */
class CheckpointIntervalTest {

    @Test
    void savesEveryNSteps() {
        ShardGraph.Builder g = ShardGraph.builder("steps");
        Shard<Long> sum = g.shard("sum").checkpointEverySteps(10).resumable(Codecs.LONGS, Codecs.LONG, new Resumable<long[], Long>() {
            @Override
            public long[] start(ShardContext ctx) {
                return new long[] {0, 0};
            }

            @Override
            public long[] step(long[] s, ShardContext ctx) {
                return new long[] {s[0] + 1, s[1] + s[0] * s[0]};
            }

            @Override
            public boolean isDone(long[] s) {
                return s[0] >= 100;
            }

            @Override
            public Long finish(long[] s, ShardContext ctx) {
                return s[1];
            }
        });
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 0, 0).checkpointEvery(Duration.ofHours(1)).build());

        long expected = 0;
        for (long k = 0; k < 100; k++) {
            expected += k * k;
        }
        assertEquals(expected, result.get(sum));
        assertEquals(10, result.summary().checkpointsSaved(), "one save at each of steps 10, 20, ..., 100");
    }
}
