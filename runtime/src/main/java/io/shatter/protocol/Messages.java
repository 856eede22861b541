package io.shatter.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The broker-worker protocol: every message type, how it is written, and how a frame (a batch of
 * messages) is read back into calls on a handler. All transports carry exactly these bytes.
 *
 * <p>A frame starts with the protocol version, so that ranks built from different releases refuse
 * each other clearly instead of misreading.
 */
public final class Messages {
    /** Bumped whenever a message's layout changes. */
    public static final int VERSION = 5; // 5: assignments and results travel packed (PackedAssignments, PackedResults)

    // Broker to worker.
    static final int PREEMPT = 2;
    static final int CANCEL = 3;
    static final int REVOKE = 4;
    static final int RESTORE = 5;
    static final int RELEASE = 6;
    static final int SHUTDOWN = 7;
    static final int SHARED_REPLY = 8;
    static final int ASSIGN_BATCH = 9;
    // Worker to broker.
    static final int HELLO = 20;
    static final int FAILED = 22;
    static final int CHECKPOINT = 23;
    static final int YIELDED = 24;
    static final int LEFT = 25;
    static final int SHARED_GET = 26;
    static final int SHARED_CAS = 27;
    static final int LEAVING = 28;
    static final int DONE_BATCH = 29;

    /** Marks "no step recorded" in {@link #yielded}: the attempt had not started or had no state. */
    public static final long NO_STEP = -1;

    private Messages() {
    }

    /**
     * Where and when a worker ran an attempt: its lane (one per core) and its start on the worker's
     * own monotonic clock ({@link System#nanoTime()}), which the broker maps to its timebase for the
     * timeline (see {@link io.shatter.observe.TimelineRecorder}).
     */
    public record Stamp(int lane, long startNanos) {
        /** An attempt that never started: given back from the worker's queue. */
        public static final Stamp NONE = new Stamp(-1, 0);

        void write(WireWriter out) {
            out.writeVarInt(lane + 1).writeSignedVarLong(startNanos);
        }

        static Stamp read(WireReader in) {
            return new Stamp(in.readVarInt() - 1, in.readSignedVarLong());
        }
    }

    /** Hears the worker clock readings that come with the messages, for the timeline. */
    public interface StampListener {
        /** A worker said hello at {@code workerNanos} on its clock. */
        void onHello(int rank, long workerNanos);

        /** The attempt whose end message comes next ran on {@code stamp}'s lane from its start for {@code runNanos}. */
        void onAttempt(int rank, int taskId, int attempt, Stamp stamp, long runNanos);

        /** Hears nothing. */
        StampListener NONE = new StampListener() {
            @Override
            public void onHello(int rank, long workerNanos) {
            }

            @Override
            public void onAttempt(int rank, int taskId, int attempt, Stamp stamp, long runNanos) {
            }
        };
    }

    /** Starts a frame: call once on an empty writer, before any message. */
    public static void beginFrame(WireWriter out) {
        if (out.isEmpty()) {
            out.writeByte(VERSION);
        }
    }

    /**
     * An input of an assignment ({@link PackedAssignments}): either its bytes, or a note that the
     * worker already holds them.
     */
    public record Input(int shardIndex, byte[] bytes) {
        /** Whether the worker must take the value from its cache. */
        public boolean cached() {
            return bytes == null;
        }
    }

    /** Asks the attempt to save its state at the next safepoint and give its slot back. */
    public static void preempt(WireWriter out, int taskId, int attempt) {
        beginFrame(out);
        out.message(PREEMPT).writeVarInt(taskId).writeVarInt(attempt);
    }

    /** Tells the worker the attempt is no longer wanted; no reply is expected. */
    public static void cancel(WireWriter out, int taskId, int attempt) {
        beginFrame(out);
        out.message(CANCEL).writeVarInt(taskId).writeVarInt(attempt);
    }

    /** The rank's capacity is being taken away: save what can be saved within the grace, then leave. */
    public static void revoke(WireWriter out, long graceNanos) {
        beginFrame(out);
        out.message(REVOKE).writeVarLong(graceNanos);
    }

    /** The rank's capacity is back: rejoin with a fresh hello. */
    public static void restore(WireWriter out) {
        beginFrame(out);
        out.message(RESTORE);
    }

    /** The worker may drop these cached outputs: every consumer has committed. */
    public static void release(WireWriter out, int[] shardIndices, int count) {
        beginFrame(out);
        out.message(RELEASE).writeVarInt(count);
        for (int i = 0; i < count; i++) {
            out.writeVarInt(shardIndices[i]);
        }
    }

    /** The run is over. */
    public static void shutdown(WireWriter out) {
        beginFrame(out);
        out.message(SHUTDOWN);
    }

    /** A worker introduces itself: its cores, its capabilities, and the graph it built. */
    public static void hello(WireWriter out, int cores, List<String> capabilities, String graphFingerprint) {
        beginFrame(out);
        out.message(HELLO).writeVarInt(cores).writeVarInt(capabilities.size());
        for (String c : capabilities) {
            out.writeString(c);
        }
        out.writeString(graphFingerprint).writeSignedVarLong(System.nanoTime());
    }

    /** An attempt threw; {@code description} names the error and where it was raised. */
    public static void failed(WireWriter out, int taskId, int attempt, Stamp stamp, long runNanos, String description) {
        beginFrame(out);
        out.message(FAILED).writeVarInt(taskId).writeVarInt(attempt).writeVarLong(runNanos);
        stamp.write(out);
        out.writeString(description);
    }

    /** A periodic checkpoint of a running attempt. */
    public static void checkpoint(WireWriter out, int taskId, int attempt, long step, byte[] state) {
        beginFrame(out);
        out.message(CHECKPOINT).writeVarInt(taskId).writeVarInt(attempt).writeVarLong(step).writeBytes(state);
    }

    /**
     * An attempt stopped at a safepoint (preempted or revoked) and gave its slot back, with its
     * state at {@code step}, or {@link #NO_STEP} and no state if it had not started.
     */
    public static void yielded(WireWriter out, int taskId, int attempt, Stamp stamp, long step, byte[] state, long runNanos) {
        beginFrame(out);
        // The state goes last, so that a large one ends the frame and is not copied again (WireWriter.toFrame).
        out.message(YIELDED).writeVarInt(taskId).writeVarInt(attempt).writeSignedVarLong(step).writeVarLong(runNanos);
        stamp.write(out);
        out.writeBytes(state);
    }

    /**
     * A worker is leaving on its own (its Slurm job got SIGTERM): the broker sends it no more work;
     * its yields and then {@link #left} follow.
     */
    public static void leaving(WireWriter out) {
        beginFrame(out);
        out.message(LEAVING);
    }

    /** A revoked worker has stopped everything and left. */
    public static void left(WireWriter out) {
        beginFrame(out);
        out.message(LEFT);
    }

    /**
     * Attempt {@code attempt} of task {@code taskId} reads key {@code key} of the broker's shared
     * state (as its transaction sees it); the broker answers with {@link #sharedReply}.
     */
    public static void sharedGet(WireWriter out, int taskId, int attempt, long requestId, String key) {
        beginFrame(out);
        out.message(SHARED_GET).writeVarInt(taskId).writeVarInt(attempt).writeVarLong(requestId).writeString(key);
    }

    /** The attempt sets {@code key} to {@code value} in its transaction if the version it sees is still {@code expectedVersion}. */
    public static void sharedCompareAndSet(WireWriter out, int taskId, int attempt, long requestId, String key, long expectedVersion,
                                           byte[] value) {
        beginFrame(out);
        out.message(SHARED_CAS).writeVarInt(taskId).writeVarInt(attempt).writeVarLong(requestId).writeString(key)
                .writeVarLong(expectedVersion).writeBytes(value);
    }

    /**
     * The broker's answer to a shared-state request: whether a compare-and-set was applied, and the
     * key's version and value now (version 0 and an empty value for a key never set).
     */
    public static void sharedReply(WireWriter out, long requestId, boolean applied, long version, byte[] value) {
        beginFrame(out);
        out.message(SHARED_REPLY).writeVarLong(requestId).writeByte(applied ? 1 : 0).writeVarLong(version).writeBytes(value);
    }

    /** What a worker does with the broker's messages. */
    public interface WorkerHandler {
        void onAssign(int taskId, int attempt, int shardIndex, int blockFrom, int blockTo, long checkpointEveryNanos,
                      long resumeStep, byte[] state, List<Input> inputs);

        void onPreempt(int taskId, int attempt);

        void onCancel(int taskId, int attempt);

        void onRevoke(long graceNanos);

        void onRestore();

        void onRelease(int[] shardIndices);

        void onShutdown();

        void onSharedReply(long requestId, boolean applied, long version, byte[] value);
    }

    /** What the broker does with a worker's messages. */
    public interface BrokerHandler {
        void onHello(int rank, int cores, List<String> capabilities, String graphFingerprint);

        void onDone(int rank, int taskId, int attempt, long runNanos, long steps, byte[] output);

        void onFailed(int rank, int taskId, int attempt, long runNanos, String description);

        void onCheckpoint(int rank, int taskId, int attempt, long step, byte[] state);

        void onYielded(int rank, int taskId, int attempt, long step, byte[] state, long runNanos);

        void onLeft(int rank);

        void onLeaving(int rank);

        void onSharedGet(int rank, int taskId, int attempt, long requestId, String key);

        void onSharedCompareAndSet(int rank, int taskId, int attempt, long requestId, String key, long expectedVersion, byte[] value);
    }

    /** Reads a frame sent to a worker. */
    public static void readWorkerFrame(byte[] frame, WorkerHandler handler) {
        WireReader in = open(frame);
        while (in.hasMore()) {
            int type = in.readByte();
            switch (type) {
                case ASSIGN_BATCH -> PackedAssignments.read(in, handler);
                case PREEMPT -> handler.onPreempt(in.readVarInt(), in.readVarInt());
                case CANCEL -> handler.onCancel(in.readVarInt(), in.readVarInt());
                case REVOKE -> handler.onRevoke(in.readVarLong());
                case RESTORE -> handler.onRestore();
                case RELEASE -> {
                    int[] ids = new int[in.readCount(1)];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = in.readVarInt();
                    }
                    handler.onRelease(ids);
                }
                case SHUTDOWN -> handler.onShutdown();
                case SHARED_REPLY -> handler.onSharedReply(in.readVarLong(), in.readByte() != 0, in.readVarLong(), in.readBytes());
                default -> throw new ProtocolException("unknown message type " + type + " for a worker");
            }
        }
    }

    /** Reads a frame sent to the broker by {@code rank}. */
    public static void readBrokerFrame(int rank, byte[] frame, BrokerHandler handler) {
        readBrokerFrame(rank, frame, handler, StampListener.NONE);
    }

    /** Reads a frame sent to the broker by {@code rank}; {@code stamps} hears each attempt's stamp just before its end message. */
    public static void readBrokerFrame(int rank, byte[] frame, BrokerHandler handler, StampListener stamps) {
        WireReader in = open(frame);
        while (in.hasMore()) {
            int type = in.readByte();
            switch (type) {
                case HELLO -> {
                    int cores = in.readVarInt();
                    int n = in.readCount(1); // a capability is at least its length
                    List<String> capabilities = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        capabilities.add(in.readString());
                    }
                    String fingerprint = in.readString();
                    stamps.onHello(rank, in.readSignedVarLong());
                    handler.onHello(rank, cores, capabilities, fingerprint);
                }
                case DONE_BATCH -> PackedResults.read(rank, in, handler, stamps);
                case FAILED -> {
                    int taskId = in.readVarInt();
                    int attempt = in.readVarInt();
                    long runNanos = in.readVarLong();
                    stamps.onAttempt(rank, taskId, attempt, Stamp.read(in), runNanos);
                    handler.onFailed(rank, taskId, attempt, runNanos, in.readString());
                }
                case CHECKPOINT -> handler.onCheckpoint(rank, in.readVarInt(), in.readVarInt(), in.readVarLong(), in.readBytes());
                case YIELDED -> {
                    int taskId = in.readVarInt();
                    int attempt = in.readVarInt();
                    long step = in.readSignedVarLong();
                    long runNanos = in.readVarLong();
                    stamps.onAttempt(rank, taskId, attempt, Stamp.read(in), runNanos);
                    handler.onYielded(rank, taskId, attempt, step, in.readBytes(), runNanos);
                }
                case LEFT -> handler.onLeft(rank);
                case LEAVING -> handler.onLeaving(rank);
                case SHARED_GET -> handler.onSharedGet(rank, in.readVarInt(), in.readVarInt(), in.readVarLong(), in.readString());
                case SHARED_CAS -> handler.onSharedCompareAndSet(rank, in.readVarInt(), in.readVarInt(), in.readVarLong(), in.readString(),
                        in.readVarLong(), in.readBytes());
                default -> throw new ProtocolException("unknown message type " + type + " from rank " + rank);
            }
        }
    }

    private static WireReader open(byte[] frame) {
        WireReader in = new WireReader(frame);
        int version = in.readByte();
        if (version != VERSION) {
            throw new ProtocolException("protocol version " + version + " but this build speaks " + VERSION
                    + ": start every rank from the same Shatter release");
        }
        return in;
    }
}
