package io.shatter.broker.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The batch rule at its edges: nothing measured, tiny, millisecond and long shards. */
class BatchSizingTest {
    @Test
    void depthFollowsTheMeasuredShardTime() {
        assertEquals(1, BatchSizing.pipelineDepth(0), "nothing measured yet: one attempt per core");
        assertEquals(1024, BatchSizing.pipelineDepth(1_000), "1 us shards: capped");
        assertEquals(401, BatchSizing.pipelineDepth(100_000), "100 us shards: 40 ms queued ahead");
        assertEquals(41, BatchSizing.pipelineDepth(1_000_000), "1 ms shards: 40 ms queued ahead");
        assertEquals(5, BatchSizing.pipelineDepth(10_000_000), "10 ms shards: 40 ms queued ahead");
        assertEquals(2, BatchSizing.pipelineDepth(40_000_000), "one queued behind the running one");
        assertEquals(2, BatchSizing.pipelineDepth(50_000_000), "still short enough to queue one");
        assertEquals(1, BatchSizing.pipelineDepth(50_000_001), "long shards: late binding, no queue");
    }

    @Test
    void nearTheEndQueuesHoldNoMoreThanAnEvenShareOfTheShardsLeft() {
        assertEquals(401, BatchSizing.tailDepth(401, 20_000, 2), "far from the end: the measured depth");
        assertEquals(101, BatchSizing.tailDepth(401, 200, 2), "200 shards left on 2 cores: 100 each, behind the running one");
        assertEquals(2, BatchSizing.tailDepth(401, 1, 2), "the last shard: one queued behind the running one");
        assertEquals(2, BatchSizing.tailDepth(401, 0, 2), "never below 2");
        assertEquals(1, BatchSizing.tailDepth(1, 0, 2), "long or unmeasured shards stay unqueued");
        assertEquals(41, BatchSizing.tailDepth(41, 5_000, 0), "no active cores: unchanged");
    }

    @Test
    void aMessageCarriesAboutAMillisecondOfMeasuredWork() {
        assertEquals(1, BatchSizing.shardsPerMessage(0), "nothing measured yet: each attempt alone");
        assertEquals(1024, BatchSizing.shardsPerMessage(100), "100 ns shards: capped");
        assertEquals(10, BatchSizing.shardsPerMessage(100_000), "100 us shards: ten a message");
        assertEquals(1, BatchSizing.shardsPerMessage(1_000_000), "1 ms shards: one a message");
        assertEquals(1, BatchSizing.shardsPerMessage(5_000_000), "long shards: one a message");
    }

    @Test
    void capacityThatMayGoSoonGetsSmallerMessages() {
        assertEquals(10, BatchSizing.shardsPerMessage(100_000, work -> 1.0), "a sure rank: as reserved");
        // Odds fall with the work a message carries: 0.999 up to 300 us, 0.9 beyond.
        assertEquals(2, BatchSizing.shardsPerMessage(100_000, work -> work <= 300_000 ? 0.999 : 0.9), "halved until safe: 10, 5, 2");
        assertEquals(1, BatchSizing.shardsPerMessage(100_000, work -> 0.5), "never below one");
    }
}
