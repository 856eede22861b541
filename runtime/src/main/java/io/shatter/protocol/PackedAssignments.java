package io.shatter.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The compact layout of a batch of assignments (one {@code ASSIGN_BATCH} message): a count, then
 * per attempt a flags byte and what differs from the common case. Task ids and shard indices are
 * written as differences from the previous attempt's (consecutive ready shards have close ones),
 * the checkpoint interval only when it changes, block ranges only for range chunks, a saved state
 * only when resuming and inputs only when there are some: a no-op shard costs about four bytes.
 */
public final class PackedAssignments {
    private static final int BLOCKS = 1;
    private static final int CHECKPOINT_EVERY = 2;
    private static final int RESUME = 4;
    private static final int INPUTS = 8;
    private static final int KNOWN_FLAGS = BLOCKS | CHECKPOINT_EVERY | RESUME | INPUTS;
    /** The fewest bytes an attempt takes: flags, task id, attempt and shard index. */
    static final int MIN_BYTES_EACH = 4;

    private final WireWriter out;
    private int left;
    private long previousTask;
    private long previousShard;
    private long previousEvery;

    /** Starts a batch of {@code count} assignments in {@code out}; {@link #add} must then be called that many times. */
    public PackedAssignments(WireWriter out, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a batch of " + count + " assignments");
        }
        Messages.beginFrame(out);
        out.message(Messages.ASSIGN_BATCH).writeVarInt(count);
        this.out = out;
        this.left = count;
    }

    /** The next attempt of the batch ({@code state} empty and {@code resumeStep} {@link Messages#NO_STEP} when starting afresh). */
    public void add(int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                    long resumeStep, byte[] state, List<Messages.Input> inputs) {
        if (left-- <= 0) {
            throw new IllegalStateException("more assignments than the batch announced");
        }
        boolean blocks = blockFrom != 0 || blockTo != 1;
        boolean every = checkpointEveryNanos != previousEvery;
        boolean resume = resumeStep != Messages.NO_STEP || state.length > 0;
        int flags = (blocks ? BLOCKS : 0) | (every ? CHECKPOINT_EVERY : 0) | (resume ? RESUME : 0) | (inputs.isEmpty() ? 0 : INPUTS);
        out.writeByte(flags).writeSignedVarLong(taskId - previousTask).writeVarInt(attempt)
                .writeSignedVarLong(shardIndex - previousShard);
        previousTask = taskId;
        previousShard = shardIndex;
        if (blocks) {
            out.writeVarInt(blockFrom).writeVarInt(blockTo);
        }
        if (every) {
            out.writeVarLong(checkpointEveryNanos);
            previousEvery = checkpointEveryNanos;
        }
        if (resume) {
            out.writeSignedVarLong(resumeStep).writeBytes(state);
        }
        if (!inputs.isEmpty()) {
            out.writeVarInt(inputs.size());
            for (Messages.Input in : inputs) {
                out.writeVarInt(in.shardIndex());
                if (in.cached()) {
                    out.writeByte(0);
                } else {
                    out.writeByte(1).writeBytes(in.bytes());
                }
            }
        }
    }

    private static final byte[] NO_STATE = new byte[0];

    /** Reads one batch (after its type byte) into {@code handler}'s {@code onAssign}, attempt by attempt. */
    static void read(WireReader in, Messages.WorkerHandler handler) {
        int count = in.readCount(MIN_BYTES_EACH);
        if (count == 0) {
            throw new ProtocolException("an empty batch of assignments");
        }
        long task = 0;
        long shard = 0;
        long every = 0;
        for (int i = 0; i < count; i++) {
            int flags = in.readByte();
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new ProtocolException("assignment flags " + flags);
            }
            task = nonNegativeInt(task + in.readSignedVarLong(), "task id");
            int attempt = in.readVarInt();
            shard = nonNegativeInt(shard + in.readSignedVarLong(), "shard index");
            int blockFrom = 0;
            int blockTo = 1;
            if ((flags & BLOCKS) != 0) {
                blockFrom = in.readVarInt();
                blockTo = in.readVarInt();
            }
            if ((flags & CHECKPOINT_EVERY) != 0) {
                every = in.readVarLong();
            }
            long resumeStep = Messages.NO_STEP;
            byte[] state = NO_STATE;
            if ((flags & RESUME) != 0) {
                resumeStep = in.readSignedVarLong();
                state = in.readBytes();
            }
            List<Messages.Input> inputs = List.of();
            if ((flags & INPUTS) != 0) {
                int n = in.readCount(2); // an input is its index and a flag at least
                inputs = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    int index = in.readVarInt();
                    inputs.add(new Messages.Input(index, in.readByte() == 0 ? null : in.readBytes()));
                }
            }
            handler.onAssign((int) task, attempt, (int) shard, blockFrom, blockTo, every, resumeStep, state, inputs);
        }
    }

    /** A value rebuilt from a difference must be a non-negative int, as the broker wrote it. */
    static long nonNegativeInt(long value, String what) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ProtocolException("a " + what + " of " + value + " in a batch");
        }
        return value;
    }
}
