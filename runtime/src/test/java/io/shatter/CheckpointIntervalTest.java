package io.shatter;

import org.junit.jupiter.api.Test;

import io.shatter.checkpoint.CheckpointStore;
import io.shatter.checkpoint.InMemoryCheckpointStore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A resumable shard saves its state every N steps when asked to, whatever the time interval. */
class CheckpointIntervalTest {

    @Test
    void savesEveryNSteps() {
        List<Long> savedSteps = new CopyOnWriteArrayList<>();
        CountDownLatch firstSave = new CountDownLatch(1);
        ShardGraph.Builder g = ShardGraph.builder("steps");
        Shard<Long> sum = g.shard("sum").checkpointEverySteps(10).resumable(Codecs.LONGS, Codecs.LONG, new Resumable<long[], Long>() {
            @Override
            public long[] start(ShardContext ctx) {
                return new long[] {0, 0};
            }

            @Override
            public long[] step(long[] s, ShardContext ctx) throws InterruptedException {
                // Wait (with a deadline) for the save taken at step 10 to reach the store, so that the
                // shard does not finish before anything could be written.
                if (s[0] == 15 && !firstSave.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the checkpoint of step 10 never reached the store");
                }
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
        InMemoryCheckpointStore memory = new InMemoryCheckpointStore();
        CheckpointStore store = new CheckpointStore() {
            @Override
            public void save(String graphId, String shardId, int attempt, long step, byte[] state) {
                savedSteps.add(step);
                firstSave.countDown();
                memory.save(graphId, shardId, attempt, step, state);
            }

            @Override
            public Optional<Checkpoint> latest(String graphId, String shardId) {
                return memory.latest(graphId, shardId);
            }

            @Override
            public void discard(String graphId, String shardId) {
                memory.discard(graphId, shardId);
            }

            @Override
            public long bytesWritten() {
                return memory.bytesWritten();
            }
        };
        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 0, 0).checkpointStore(store)
                .checkpointEvery(Duration.ofHours(1)).build());

        long expected = 0;
        for (long k = 0; k < 100; k++) {
            expected += k * k;
        }
        assertEquals(expected, result.get(sum));
        // The broker writes only the newest of the states waiting for the disk, so not every one is
        // written; but every one written was taken at a multiple of 10 steps (the time interval is an hour).
        assertFalse(savedSteps.isEmpty(), "no checkpoint was saved");
        assertTrue(savedSteps.stream().allMatch(step -> step % 10 == 0), "saved at steps " + savedSteps);
        assertEquals(savedSteps.size(), result.summary().checkpointsSaved());
    }
}
