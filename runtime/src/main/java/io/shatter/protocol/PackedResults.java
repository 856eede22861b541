package io.shatter.protocol;

import java.util.Arrays;

/**
 * A worker's finished attempts, packed into one {@code DONE_BATCH} message: the results of the
 * shards its lanes ran since the last frame, kept in plain arrays (no object per result) and
 * written as a count followed, per attempt, by its task id as a difference from the previous one,
 * attempt, lane, start (a difference from the previous start), run time, steps and output. Used
 * under the worker's lock, like its outbox.
 */
public final class PackedResults {
    /** The fewest bytes a result takes: task id, attempt, lane, start, run time, steps and an output length. */
    static final int MIN_BYTES_EACH = 7;

    private int size;
    private long outputBytes;
    private int[] taskIds = new int[64];
    private int[] attempts = new int[64];
    private int[] lanes = new int[64];
    private long[] starts = new long[64];
    private long[] runNanos = new long[64];
    private long[] steps = new long[64];
    private byte[][] outputs = new byte[64][];

    /** Results held. */
    public int size() {
        return size;
    }

    /** The bytes of the outputs held. */
    public long outputBytes() {
        return outputBytes;
    }

    /** Whether none is held. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Holds one finished attempt's result. */
    public void add(int taskId, int attempt, Messages.Stamp stamp, long runNanos, long steps, byte[] output) {
        add(taskId, attempt, stamp.lane(), stamp.startNanos(), runNanos, steps, output);
    }

    /** Holds one finished attempt's result: it ran on {@code lane} from {@code startNanos} on the worker's clock. */
    public void add(int taskId, int attempt, int lane, long startNanos, long runNanos, long steps, byte[] output) {
        if (size == taskIds.length) {
            grow();
        }
        taskIds[size] = taskId;
        attempts[size] = attempt;
        lanes[size] = lane;
        starts[size] = startNanos;
        this.runNanos[size] = runNanos;
        this.steps[size] = steps;
        outputs[size] = output;
        outputBytes += output.length;
        size++;
    }

    /** Writes the held results as one message at the end of {@code out} and forgets them. */
    public void writeTo(WireWriter out) {
        if (size == 0) {
            return;
        }
        Messages.beginFrame(out);
        out.message(Messages.DONE_BATCH).writeVarInt(size);
        long previousTask = 0;
        long previousStart = 0;
        for (int i = 0; i < size; i++) {
            out.writeSignedVarLong(taskIds[i] - previousTask).writeVarInt(attempts[i]).writeVarInt(lanes[i] + 1)
                    .writeSignedVarLong(starts[i] - previousStart).writeVarLong(runNanos[i]).writeVarLong(steps[i])
                    .writeBytes(outputs[i]);
            previousTask = taskIds[i];
            previousStart = starts[i];
            outputs[i] = null; // an output must not stay reachable from here once sent
        }
        size = 0;
        outputBytes = 0;
    }

    private void grow() {
        int n = size * 2;
        taskIds = Arrays.copyOf(taskIds, n);
        attempts = Arrays.copyOf(attempts, n);
        lanes = Arrays.copyOf(lanes, n);
        starts = Arrays.copyOf(starts, n);
        runNanos = Arrays.copyOf(runNanos, n);
        steps = Arrays.copyOf(steps, n);
        outputs = Arrays.copyOf(outputs, n);
    }

    /** Reads one batch (after its type byte): each result's stamp to {@code stamps}, then the result to {@code handler}. */
    static void read(int rank, WireReader in, Messages.BrokerHandler handler, Messages.StampListener stamps) {
        int count = in.readCount(MIN_BYTES_EACH);
        if (count == 0) {
            throw new ProtocolException("an empty batch of results from rank " + rank);
        }
        long task = 0;
        long start = 0;
        for (int i = 0; i < count; i++) {
            task = PackedAssignments.nonNegativeInt(task + in.readSignedVarLong(), "task id");
            int attempt = in.readVarInt();
            int lane = in.readVarInt() - 1;
            start += in.readSignedVarLong();
            long run = in.readVarLong();
            stamps.onAttempt(rank, (int) task, attempt, new Messages.Stamp(lane, start), run);
            handler.onDone(rank, (int) task, attempt, run, in.readVarLong(), in.readBytes());
        }
    }
}
