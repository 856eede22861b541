package io.shatter.protocol;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutations of every message type, both directions: every single-byte flip, every
 * truncation and random byte runs decode or fail with {@link ProtocolException}, never another
 * exception and never an allocation sized by a claimed count rather than by the frame.
 */
class FrameFuzzTest {
    private static final long SEED = 19;

    /** One frame per message a worker sends, and one holding all of them. */
    private static List<byte[]> brokerFrames() {
        Messages.Stamp stamp = new Messages.Stamp(1, 123_456_789L);
        List<java.util.function.Consumer<WireWriter>> messages = List.of(
                w -> Messages.hello(w, 4, List.of("gpu", "avx512"), "fingerprint-abc"),
                w -> done(w, 17, 2, stamp, 5_000_000L, 40, new byte[] {1, 2, 3, 4, 5}),
                w -> {
                    PackedResults results = new PackedResults(); // a packed batch: ids and starts as differences
                    results.add(17, 2, stamp, 5_000_000L, 40, new byte[] {1, 2, 3});
                    results.add(12, 1, new Messages.Stamp(0, 123_000_000L), 7L, 1, new byte[0]);
                    results.add(900_000, 3, Messages.Stamp.NONE, 1L << 40, 0, new byte[] {7});
                    results.writeTo(w);
                },
                w -> Messages.failed(w, 17, 3, stamp, 1_000L, "java.lang.IllegalStateException: boom at Foo.java:12"),
                w -> Messages.checkpoint(w, 9, 1, 12, new byte[] {9, 8, 7}),
                w -> Messages.yielded(w, 9, 1, stamp, 13, new byte[] {6, 5}, 2_000L),
                w -> Messages.yielded(w, 9, 1, Messages.Stamp.NONE, Messages.NO_STEP, new byte[0], 0),
                Messages::left,
                Messages::leaving,
                w -> Messages.sharedGet(w, 9, 1, 5, "best-bound"),
                w -> Messages.sharedCompareAndSet(w, 9, 1, 6, "best-bound", 3, new byte[] {42}));
        return framesOf(messages);
    }

    /** Each message in a frame of its own, then all of them in one frame. */
    private static List<byte[]> framesOf(List<java.util.function.Consumer<WireWriter>> messages) {
        List<byte[]> frames = new ArrayList<>();
        WireWriter all = new WireWriter(64);
        for (var m : messages) {
            WireWriter one = new WireWriter(64);
            m.accept(one);
            frames.add(one.toFrame());
            m.accept(all);
        }
        frames.add(all.toFrame());
        return frames;
    }

    private static List<byte[]> workerFrames() {
        List<java.util.function.Consumer<WireWriter>> messages = List.of(
                w -> new PackedAssignments(w, 1).add(3, 1, 7, 0, 10, 200_000_000L, 4, new byte[] {1, 2},
                        List.of(new Messages.Input(1, new byte[] {5, 6, 7}), new Messages.Input(2, null))),
                w -> {
                    PackedAssignments batch = new PackedAssignments(w, 4); // plain, range chunk, resumed, with inputs
                    batch.add(40, 1, 90, 0, 1, 0, Messages.NO_STEP, new byte[0], List.of());
                    batch.add(38, 2, 91, 5, 9, 0, Messages.NO_STEP, new byte[0], List.of());
                    batch.add(70_000, 1, 3, 0, 1, 200_000_000L, 12, new byte[] {4, 4}, List.of());
                    batch.add(71_000, 1, 4, 0, 1, 200_000_000L, Messages.NO_STEP, new byte[0],
                            List.of(new Messages.Input(3, null), new Messages.Input(2, new byte[] {8})));
                },
                w -> Messages.preempt(w, 3, 1),
                w -> Messages.cancel(w, 3, 1),
                w -> Messages.revoke(w, 1_000_000_000L),
                Messages::restore,
                w -> Messages.release(w, new int[] {4, 5, 6}, 3),
                Messages::shutdown,
                w -> Messages.sharedReply(w, 6, true, 4, new byte[] {42}));
        return framesOf(messages);
    }

    /** One result in its own packed batch. */
    private static void done(WireWriter w, int taskId, int attempt, Messages.Stamp stamp, long runNanos, long steps, byte[] output) {
        PackedResults results = new PackedResults();
        results.add(taskId, attempt, stamp, runNanos, steps, output);
        results.writeTo(w);
    }

    /** Decodes {@code frame} both as the broker and as a worker would; the first exception other than a protocol error. */
    private static Throwable decode(byte[] frame, boolean toBroker) {
        try {
            if (toBroker) {
                Messages.readBrokerFrame(2, frame, IGNORING_BROKER);
            } else {
                Messages.readWorkerFrame(frame, IGNORING_WORKER);
            }
            return null;
        } catch (ProtocolException expected) {
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    @Test
    void everyFlipTruncationAndRandomMutationDecodesOrFailsAsAProtocolError() {
        Random random = new Random(SEED);
        int trials = 0;
        List<String> escapes = new ArrayList<>();
        for (boolean toBroker : new boolean[] {true, false}) {
            for (byte[] frame : toBroker ? brokerFrames() : workerFrames()) {
                assertEquals(null, decode(frame, toBroker), "an intact frame decodes");
                for (int at = 0; at < frame.length; at++) {
                    for (int mask : new int[] {0xFF, 0x01, 0x80, 0x7F}) {
                        byte[] m = frame.clone();
                        m[at] ^= (byte) mask;
                        trials++;
                        note(escapes, decode(m, toBroker), m);
                    }
                }
                for (int length = 0; length < frame.length; length++) {
                    trials++;
                    note(escapes, decode(Arrays.copyOf(frame, length), toBroker), Arrays.copyOf(frame, length));
                }
                for (int i = 0; i < 2_000; i++) {
                    byte[] m = frame.clone();
                    int run = 1 + random.nextInt(Math.min(8, m.length));
                    int at = random.nextInt(m.length - run + 1);
                    for (int k = 0; k < run; k++) {
                        m[at + k] = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256)); // 0xFF: the largest varint bytes
                    }
                    trials++;
                    note(escapes, decode(m, toBroker), m);
                }
            }
        }
        System.out.println("frames: " + trials + " mutated frames decoded, " + escapes.size() + " escapes");
        assertTrue(escapes.isEmpty(), escapes.size() + " of " + trials + " escaped: " + escapes.subList(0, Math.min(5, escapes.size())));
    }

    /** The frame: a HELLO claiming 2^31-1 capabilities is refused before any list is sized by the claim. */
    @Test
    void aClaimedCountLargerThanTheFrameIsRefusedBeforeAllocating() {
        byte[] frame = {(byte) Messages.VERSION, 20, 1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0};
        ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> Messages.readBrokerFrame(2, frame, IGNORING_BROKER));
        assertTrue(e.getMessage().contains("2147483647 items"), e.getMessage());
    }

    private static void note(List<String> escapes, Throwable t, byte[] frame) {
        if (t != null) {
            escapes.add(t + " on " + java.util.HexFormat.of().formatHex(frame));
        }
    }

    private static final Messages.BrokerHandler IGNORING_BROKER = new IgnoringBrokerHandler() {
    };

    private static final Messages.WorkerHandler IGNORING_WORKER = new IgnoringWorkerHandler() {
    };
}
