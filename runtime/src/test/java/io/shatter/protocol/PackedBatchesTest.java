package io.shatter.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Packed assignments and results read back exactly as written, and cost a few bytes per no-op shard. */
class PackedBatchesTest {

    /** What a worker would be told, as one comparable line per attempt. */
    private static List<String> readAssignments(byte[] frame) {
        List<String> seen = new ArrayList<>();
        Messages.readWorkerFrame(frame, new RecordingWorker(seen));
        return seen;
    }

    private static String line(int taskId, int attempt, int shard, int from, int to, long every, long step, byte[] state,
                               List<Messages.Input> inputs) {
        StringBuilder b = new StringBuilder(taskId + "/" + attempt + " shard " + shard + " [" + from + "," + to + ") every " + every
                + " step " + step + " state " + Arrays.toString(state) + " inputs");
        for (Messages.Input in : inputs) {
            b.append(' ').append(in.shardIndex()).append(in.cached() ? "=held" : "=" + Arrays.toString(in.bytes()));
        }
        return b.toString();
    }

    @Test
    void assignmentsReadBackAsWrittenWhateverTheOrderOfIds() {
        Object[][] attempts = {
                {7, 1, 100, 0, 1, 0L, Messages.NO_STEP, new byte[0], List.of()},
                {3, 2, 40, 0, 1, 0L, Messages.NO_STEP, new byte[0], List.of()}, // ids going down
                {Integer.MAX_VALUE, 9, Integer.MAX_VALUE, 5, 17, 250_000_000L, 12L, new byte[] {1, 2}, List.of()},
                {0, 1, 0, 0, 1, 250_000_000L, Messages.NO_STEP, new byte[0],
                        List.of(new Messages.Input(4, null), new Messages.Input(5, new byte[] {9}))},
                {11, 3, 41, 0, 1, 0L, Messages.NO_STEP, new byte[0], List.of()}, // back to no checkpoints
        };
        WireWriter w = new WireWriter(16);
        PackedAssignments batch = new PackedAssignments(w, attempts.length);
        List<String> expected = new ArrayList<>();
        for (Object[] a : attempts) {
            @SuppressWarnings("unchecked")
            List<Messages.Input> inputs = (List<Messages.Input>) a[8];
            batch.add((int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4], (long) a[5], (long) a[6], (byte[]) a[7], inputs);
            expected.add(line((int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4], (long) a[5], (long) a[6], (byte[]) a[7], inputs));
        }
        assertEquals(expected, readAssignments(w.toFrame()));
    }

    @Test
    void aNoOpShardCostsAboutFourBytesInABatch() {
        WireWriter w = new WireWriter(16);
        PackedAssignments batch = new PackedAssignments(w, 1000);
        for (int i = 0; i < 1000; i++) {
            batch.add(5000 + i, 1, 20_000 + i, 0, 1, 0, Messages.NO_STEP, new byte[0], List.of());
        }
        assertTrue(w.size() <= 4 * 1000 + 16, w.size() + " bytes for 1,000 no-op assignments");
        assertEquals(1000, readAssignments(w.toFrame()).size());
    }

    @Test
    void aBatchMustHoldWhatItAnnounced() {
        PackedAssignments batch = new PackedAssignments(new WireWriter(16), 1);
        batch.add(1, 1, 1, 0, 1, 0, Messages.NO_STEP, new byte[0], List.of());
        assertThrows(IllegalStateException.class, () -> batch.add(2, 1, 2, 0, 1, 0, Messages.NO_STEP, new byte[0], List.of()));
    }

    @Test
    void resultsReadBackAsWrittenWithTheirStamps() {
        PackedResults results = new PackedResults();
        List<String> expected = new ArrayList<>();
        long[] starts = {1_000_000_000L, 999_999_000L, -5L, Long.MAX_VALUE / 2};
        for (int i = 0; i < 100; i++) { // past the initial capacity: the arrays grow
            int task = (i * 7919) % 1000;
            int lane = i % 3 - 1; // -1: never started
            long start = starts[i % starts.length];
            byte[] output = new byte[i % 5];
            results.add(task, 1 + i % 4, lane, start, 10L * i, i, output);
            expected.add(task + "/" + (1 + i % 4) + " lane " + lane + " at " + start + " ran " + 10L * i + " steps " + i + " "
                    + Arrays.toString(output));
        }
        assertEquals(100, results.size());
        WireWriter w = new WireWriter(16);
        results.writeTo(w);
        assertTrue(results.isEmpty(), "written results are forgotten");
        List<String> seen = new ArrayList<>();
        List<Messages.Stamp> stamps = new ArrayList<>();
        Messages.readBrokerFrame(3, w.toFrame(), new RecordingBroker(seen, stamps), new Messages.StampListener() {
            @Override
            public void onHello(int rank, long workerNanos) {
            }

            @Override
            public void onAttempt(int rank, int taskId, int attempt, Messages.Stamp stamp, long runNanos) {
                stamps.add(stamp);
            }
        });
        assertEquals(expected, seen);
    }

    private record RecordingWorker(List<String> seen) implements IgnoringWorkerHandler {
        @Override
        public void onAssign(int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                             long resumeStep, byte[] state, List<Messages.Input> inputs) {
            seen.add(line(taskId, attempt, shardIndex, blockFrom, blockTo, checkpointEveryNanos, resumeStep, state, inputs));
        }
    }

    private record RecordingBroker(List<String> seen, List<Messages.Stamp> stamps) implements IgnoringBrokerHandler {
        @Override
        public void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output) {
            Messages.Stamp s = stamps.get(stamps.size() - 1); // the stamp comes just before its result
            seen.add(taskId + "/" + attempt + " lane " + s.lane() + " at " + s.startNanos() + " ran " + runNanos + " steps " + steps
                    + " " + Arrays.toString(output));
        }
    }
}
