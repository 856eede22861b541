package io.shatter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared state is transactional per attempt: writes count exactly when the attempt's result
 * commits (never for a failed or lost attempt), a stale read makes the shard run again, and
 * committed writes survive a broker restart through the journal.
 */
class SharedStateExactlyOnceTest {
    @TempDir
    Path dir;

    /** A shard that increments a counter and then fails is retried: its first increment does not count. */
    @Test
    void aFailedAttemptsWritesAreNotApplied() {
        ShardGraph.Builder g = ShardGraph.builder("retry-counts-once");
        List<Shard<Integer>> incs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            incs.add(g.shard("inc-" + i).retries(2).compute(Codecs.INT, ctx -> {
                ctx.shared().update("n", Codecs.LONG, 0L, v -> v + 1);
                if (ctx.attempt() == 1) {
                    throw new IllegalStateException("the first attempt fails after writing");
                }
                return 1;
            }));
        }
        Shard<Long> read = g.shard("read").inputs(incs.toArray(new Shard<?>[0]))
                .compute(Codecs.LONG, ctx -> ctx.shared().get("n", Codecs.LONG, -1L));

        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(2, 0, 0).build());

        assertEquals(20L, result.get(read), "one increment per committed shard; the failed attempts' increments were dropped");
        // 20 retries of failed attempts, plus reruns of attempts whose read of "n" was overtaken by another's commit
        assertTrue(result.summary().retries() >= 20, result.summary().toString());
    }

    /**
     * Shard "reader" reads x, then "writer" commits a new x before the reader commits: the reader's
     * result rests on a stale read, so it is discarded and the reader runs again, reading the new x.
     * The reader returns only once "after-writer", which needs the writer's committed output, has
     * started: the writer's commit is then certain to reach the broker before the reader's result.
     */
    @Test
    void aStaleReadMakesTheShardRunAgain() {
        AtomicInteger readerAttempts = new AtomicInteger();
        CountDownLatch readerHasRead = new CountDownLatch(1);
        CountDownLatch writerHasCommitted = new CountDownLatch(1);
        ShardGraph.Builder g = ShardGraph.builder("stale-read");
        Shard<Long> reader = g.shard("reader").compute(Codecs.LONG, ctx -> {
            readerAttempts.incrementAndGet();
            long seen = ctx.shared().get("x", Codecs.LONG, 0L);
            readerHasRead.countDown();
            assertTrue(writerHasCommitted.await(30, TimeUnit.SECONDS), "the writer committed"); // so this read is now stale
            return seen;
        });
        Shard<Long> writer = g.shard("writer").compute(Codecs.LONG, ctx -> {
            assertTrue(readerHasRead.await(30, TimeUnit.SECONDS), "the reader read x"); // so that the writer's commit overtakes it
            return ctx.shared().update("x", Codecs.LONG, 0L, v -> v + 7);
        });
        g.shard("after-writer").inputs(writer).compute(Codecs.LONG, ctx -> {
            writerHasCommitted.countDown(); // an input is handed over only once it is committed
            return ctx.input(writer);
        });

        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(2, 0, 0).build());

        assertEquals(7L, result.get(writer));
        assertEquals(7L, result.get(reader), "the committed reader read the value the writer committed, not the stale 0");
        assertEquals(2, readerAttempts.get(), "the first reader attempt was discarded at its commit");
    }

    /**
     * Resumable shards write at every step while excess ranks are revoked under them: an attempt
     * resumed from a checkpoint carries on the transaction saved with it, so each shard's writes
     * count once per step (not lost with the revoked attempt, not counted again when redone).
     */
    @Test
    void aResumableShardsWritesCountOncePerStepAcrossRevocations() {
        int shards = 6;
        long steps = 60;
        ShardGraph.Builder g = ShardGraph.builder("resumable-shared");
        List<Shard<Long>> parts = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            String key = "steps-" + i;
            parts.add(g.shard("walk-" + i).resumable(Codecs.LONG, Codecs.LONG, new Resumable<Long, Long>() {
                @Override
                public Long start(ShardContext ctx) {
                    return 0L;
                }

                @Override
                public Long step(Long done, ShardContext ctx) throws InterruptedException {
                    ctx.shared().update(key, Codecs.LONG, 0L, v -> v + 1);
                    Thread.sleep(2);
                    return done + 1;
                }

                @Override
                public boolean isDone(Long done) {
                    return done >= steps;
                }

                @Override
                public Long finish(Long done, ShardContext ctx) {
                    return done;
                }
            }));
        }
        Shard<String> counts = g.shard("counts").inputs(parts.toArray(new Shard<?>[0])).compute(Codecs.STRING, ctx -> {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < shards; i++) {
                out.append(ctx.shared().get("steps-" + i, Codecs.LONG, -1L)).append(' ');
            }
            return out.toString().strip();
        });

        RunResult result = Shatter.run(g.build(), RunConfig.builder().ranks(1, 2, 0).revokeEvery(java.time.Duration.ofMillis(25))
                .checkpointEvery(java.time.Duration.ofMillis(5)).seed(7).build());

        assertEquals(String.join(" ", java.util.Collections.nCopies(shards, Long.toString(steps))), result.get(counts),
                "one write per step per shard: " + result.summary());
        assertTrue(result.summary().revocations() > 0 && result.summary().checkpointRestores() > 0, result.summary().toString());
    }

    /** Committed writes are journaled with their commits: a resumed run starts from them and counts nothing twice. */
    @Test
    void committedWritesSurviveABrokerRestart() {
        AtomicBoolean gateFails = new AtomicBoolean(true);
        AtomicInteger executions = new AtomicInteger();
        int shards = 12;
        ShardGraph.Builder g = ShardGraph.builder("shared-resume");
        List<Shard<Integer>> incs = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            long amount = i + 1;
            incs.add(g.shard("add-" + i).compute(Codecs.INT, ctx -> {
                executions.incrementAndGet();
                ctx.shared().update("sum", Codecs.LONG, 0L, v -> v + amount);
                return 1;
            }));
        }
        Shard<Integer> gate = g.shard("gate").retries(0).inputs(incs.toArray(new Shard<?>[0])).compute(Codecs.INT, ctx -> {
            if (gateFails.get()) {
                throw new IllegalStateException("the broker's node crashed");
            }
            return 0;
        });
        Shard<Long> read = g.shard("read").inputs(gate).compute(Codecs.LONG, ctx -> ctx.shared().get("sum", Codecs.LONG, -1L));
        ShardGraph graph = g.build();
        RunConfig config = RunConfig.builder().ranks(2, 0, 0).runDirectory(dir.resolve("run")).runIdentity("test").build();

        assertThrows(ShardFailedException.class, () -> Shatter.run(graph, config));
        int firstRun = executions.get(); // at least one per shard, more where concurrent adds overtook each other's reads
        assertTrue(firstRun >= shards);
        gateFails.set(false);
        RunResult resumed = Shatter.run(graph, config);

        assertEquals((long) shards * (shards + 1) / 2, resumed.get(read), "the sum restored from the journal, each add once");
        assertEquals(firstRun, executions.get(), "no committed shard ran again");
        assertTrue(resumed.summary().resumedFromJournal() >= shards, resumed.summary().toString());
    }
}
