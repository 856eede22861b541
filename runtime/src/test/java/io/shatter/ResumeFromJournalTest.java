package io.shatter;

import io.shatter.broker.core.JournalRecord;
import io.shatter.broker.journal.Journal;
import io.shatter.broker.journal.JournalFormat;
import io.shatter.protocol.WireWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker's journal through whole runs on local ranks: a run that stopped resumes from its run
 * directory without recomputing what it committed, and gives exactly what a sequential computation
 * gives.
 */
class ResumeFromJournalTest {
    private static final int LEAVES = 40;
    private static final int GATED = 10;
    private static final long RANGE_END = 120_000;
    private static final long GRAIN = 1_000;

    @TempDir
    Path dir;

    /** One graph, built the same way for every run (as a re-run of the same command would). */
    private static final class Pipeline {
        final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<long[]> rangeCalls = new ConcurrentLinkedQueue<>();
        final AtomicBoolean gateFails = new AtomicBoolean();
        final ShardGraph graph;
        final Shard<Double> total;

        Pipeline() {
            ShardGraph.Builder g = ShardGraph.builder("resume");
            List<Shard<Double>> leaves = new ArrayList<>();
            for (int i = 0; i < LEAVES; i++) {
                int seed = i;
                String id = "leaf-" + i;
                leaves.add(g.shard(id).compute(Codecs.DOUBLE, ctx -> {
                    executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    return leafValue(seed);
                }));
            }
            Shard<Double> harmonic = g.shard("harmonic").priority(Priority.LOW).parallelFor(1, RANGE_END, GRAIN, Codecs.DOUBLE,
                    (from, to, ctx) -> {
                        rangeCalls.add(new long[] {from, to});
                        return LocalRunTest.harmonic(from, to);
                    }, Double::sum);
            // Runs only once the first GATED leaves committed; fails while gateFails is set, which stops the run.
            Shard<Double> gate = g.shard("gate").retries(0).inputs(leaves.subList(0, GATED).toArray(new Shard<?>[0]))
                    .compute(Codecs.DOUBLE, ctx -> {
                        if (gateFails.get()) {
                            throw new IllegalStateException("node crashed");
                        }
                        double s = 0;
                        for (Shard<Double> leaf : leaves.subList(0, GATED)) {
                            s += ctx.input(leaf);
                        }
                        return s;
                    });
            List<Shard<?>> all = new ArrayList<>(leaves);
            all.add(harmonic);
            all.add(gate);
            total = g.shard("total").priority(Priority.HIGH).inputs(all.toArray(new Shard<?>[0])).compute(Codecs.DOUBLE, ctx -> {
                double s = ctx.input(gate) * 3 + ctx.input(harmonic);
                for (Shard<Double> leaf : leaves) {
                    s += ctx.input(leaf);
                }
                return s;
            });
            graph = g.build();
        }

        int executionsOf(String id) {
            AtomicInteger n = executions.get(id);
            return n == null ? 0 : n.get();
        }
    }

    private static double leafValue(int seed) {
        double s = 0;
        for (double x : LocalRunTest.series(seed, 2_000)) {
            s += x;
        }
        return s;
    }

    /** The same result computed in one thread, in the graph's order. */
    private static double sequentialTotal() {
        double gate = 0;
        for (int i = 0; i < GATED; i++) {
            gate += leafValue(i);
        }
        Double harmonic = null;
        for (long from = 1; from < RANGE_END; from += GRAIN) {
            double part = LocalRunTest.harmonic(from, Math.min(RANGE_END, from + GRAIN));
            harmonic = harmonic == null ? part : harmonic + part;
        }
        double s = gate * 3 + harmonic;
        for (int i = 0; i < LEAVES; i++) {
            s += leafValue(i);
        }
        return s;
    }

    private RunConfig config() {
        return RunConfig.builder().ranks(2, 1, 0).runDirectory(dir.resolve("run")).runIdentity("test").build();
    }

    @Test
    void stoppedRunResumesWithoutRerunningCommittedShardsAndMatchesSequential() {
        Pipeline first = new Pipeline();
        first.gateFails.set(true);
        ShardFailedException stopped = assertThrows(ShardFailedException.class, () -> Shatter.run(first.graph, config()));
        assertEquals("gate", stopped.shardId());
        int committedBefore = stopped.summary().shardsCompleted();
        assertTrue(committedBefore >= GATED, "the gate ran after its leaves committed: " + committedBefore);

        Pipeline second = new Pipeline(); // the same command again, in a fresh program
        RunResult result = Shatter.run(second.graph, config());
        assertEquals(Double.doubleToLongBits(sequentialTotal()), Double.doubleToLongBits(result.get(second.total)));
        for (int i = 0; i < GATED; i++) {
            assertEquals(0, second.executionsOf("leaf-" + i), "leaf-" + i + " was committed before and must not run again");
        }
        RunSummary summary = result.summary();
        assertTrue(summary.resumedFromJournal() >= committedBefore,
                summary.resumedFromJournal() + " restored, " + committedBefore + " committed by the first run");
        assertEquals(second.graph.size(), summary.shardsCompleted());
        assertTrue(summary.attemptsStarted() < second.graph.size() - committedBefore + 1 + RANGE_END / GRAIN,
                "only what was not committed ran: " + summary.attemptsStarted() + " attempts");

        // The run finished: the same command starts a new run that computes everything again.
        Pipeline third = new Pipeline();
        RunResult again = Shatter.run(third.graph, config());
        assertEquals(0, again.summary().resumedFromJournal());
        assertEquals(1, third.executionsOf("leaf-0"));
        assertTrue(Files.exists(dir.resolve("run").resolve(JournalFormat.FINISHED_FILE_NAME)));
    }

    @Test
    void rangeShardCarvesOnlyTheBlocksTheJournalDoesNotHold() throws IOException {
        Pipeline pipeline = new Pipeline();
        int harmonic = indexOf(pipeline.graph, "harmonic");
        List<int[]> restored = List.of(new int[] {3, 7}, new int[] {10, 11}, new int[] {50, 60}, new int[] {119, 120});
        // What a killed broker would have journaled: committed chunks with the partial sum of each block.
        Journal journal = Journal.open(dir.resolve("run"), pipeline.graph.name(), pipeline.graph.fingerprint(), "test",
                record -> { }, 0);
        try {
            for (int[] chunk : restored) {
                journal.append(chunkCommitted(harmonic, chunk));
            }
        } finally {
            journal.close();
        }

        RunResult result = Shatter.run(pipeline.graph, config());

        assertEquals(Double.doubleToLongBits(sequentialTotal()), Double.doubleToLongBits(result.get(pipeline.total)));
        assertEquals(restored.size(), result.summary().resumedFromJournal());
        long blocksRun = 0;
        for (long[] call : pipeline.rangeCalls) {
            blocksRun += (call[1] - call[0] + GRAIN - 1) / GRAIN;
            for (int[] chunk : restored) {
                long from = 1 + chunk[0] * GRAIN;
                long to = Math.min(RANGE_END, 1 + chunk[1] * GRAIN);
                assertFalse(call[0] < to && from < call[1], "range [" + call[0] + ", " + call[1] + ") recomputed restored blocks");
            }
        }
        assertEquals(RANGE_END / GRAIN - 16, blocksRun, "every other block ran exactly once");
    }

    @Test
    void damagedJournalRecordsAreCountedInTheSummaryAndTheirWorkRunsAgain() throws IOException {
        Pipeline pipeline = new Pipeline();
        int harmonic = indexOf(pipeline.graph, "harmonic");
        List<int[]> journaled = List.of(new int[] {0, 4}, new int[] {20, 30}, new int[] {40, 45}, new int[] {90, 100});
        List<Long> recordEnds = new ArrayList<>();
        Path run = dir.resolve("run");
        Journal journal = Journal.open(run, pipeline.graph.name(), pipeline.graph.fingerprint(), "test", record -> { }, 0);
        try {
            for (int[] chunk : journaled) {
                journal.append(chunkCommitted(harmonic, chunk));
                journal.flush(0);
                recordEnds.add(Files.size(run.resolve(JournalFormat.FILE_NAME)));
            }
        } finally {
            journal.close();
        }
        // A byte in the middle of the third record flipped: that record and the fourth are dropped, the first two kept.
        Path file = run.resolve(JournalFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        int middleOfThird = (int) ((recordEnds.get(1) + recordEnds.get(2)) / 2);
        bytes[middleOfThird] ^= (byte) 0xFF;
        Files.write(file, bytes);

        RunResult result = Shatter.run(pipeline.graph, config());

        assertEquals(Double.doubleToLongBits(sequentialTotal()), Double.doubleToLongBits(result.get(pipeline.total)));
        assertEquals(2, result.summary().resumedFromJournal());
        assertEquals(2, result.summary().journalRecordsDropped());
        assertTrue(Files.exists(run.resolve(JournalFormat.FILE_NAME + ".damaged")), "the damaged journal is kept");
        long blocksRun = 0;
        for (long[] call : pipeline.rangeCalls) {
            blocksRun += (call[1] - call[0] + GRAIN - 1) / GRAIN;
        }
        assertEquals(RANGE_END / GRAIN - 4 - 10, blocksRun, "the dropped records' blocks ran again, the kept ones did not");
    }

    @Test
    void runDirectoryOfAnotherGraphIsRefusedAndKept() throws IOException {
        Pipeline first = new Pipeline();
        first.gateFails.set(true);
        assertThrows(ShardFailedException.class, () -> Shatter.run(first.graph, config()));
        Path journal = dir.resolve("run").resolve(JournalFormat.FILE_NAME);
        byte[] before = Files.readAllBytes(journal);

        ShardGraph.Builder g = ShardGraph.builder("other");
        g.shard("x").compute(Codecs.INT, ctx -> 1);
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> Shatter.run(g.build(), config()));
        assertTrue(e.getMessage().contains("holds an unfinished run of graph 'resume'"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(journal));
    }

    private static int indexOf(ShardGraph graph, String id) {
        return graph.shards().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().index();
    }

    /** The record a broker journals for a committed chunk of the harmonic range: each block's partial sum. */
    private static JournalRecord.ChunkCommitted chunkCommitted(int harmonic, int[] chunk) {
        WireWriter partials = new WireWriter(64);
        partials.writeVarInt(chunk[1] - chunk[0]);
        for (int b = chunk[0]; b < chunk[1]; b++) {
            long from = 1 + b * GRAIN;
            partials.writeBytes(Codecs.DOUBLE.encode(LocalRunTest.harmonic(from, Math.min(RANGE_END, from + GRAIN))));
        }
        return new JournalRecord.ChunkCommitted(harmonic, chunk[0], chunk[1], partials.toFrame());
    }
}
