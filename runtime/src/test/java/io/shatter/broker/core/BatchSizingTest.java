package io.shatter.broker.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The batch rule at its edges: nothing measured, tiny, millisecond and long shards. */
class BatchSizingTest {
    @Test
    void depthFollowsTheMeasuredShardTime() {
        assertEquals(1, BatchSizing.pipelineDepth(0), "nothing measured yet: one attempt per core");
        assertEquals(1024, BatchSizing.pipelineDepth(1_000), "1 us shards: capped");
        assertEquals(101, BatchSizing.pipelineDepth(100_000), "100 us shards: 10 ms queued ahead");
        assertEquals(11, BatchSizing.pipelineDepth(1_000_000), "1 ms shards: 10 ms queued ahead");
        assertEquals(2, BatchSizing.pipelineDepth(10_000_000), "10 ms shards: one queued behind the running one");
        assertEquals(2, BatchSizing.pipelineDepth(50_000_000), "still short enough to queue one");
        assertEquals(1, BatchSizing.pipelineDepth(50_000_001), "long shards: late binding, no queue");
    }
}
