package io.shatter.broker.journal;

import io.shatter.RunDirectoryException;
import io.shatter.broker.core.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damage in a journal is never taken for a torn tail, and no single-byte change or truncation
 * makes the journal replay anything but a prefix of what was written.
 */
class JournalCorruptionTest {
    @TempDir
    Path dir;

    private Journal open(List<String> into) {
        return Journal.open(dir, "g", "f00d", "--size 3", r -> into.add(describe(r)), 0);
    }

    /** A record's full content, so that replayed records compare by value. */
    private static String describe(JournalRecord record) {
        if (record instanceof JournalRecord.ShardCommitted r) {
            return "shard " + r.shard() + " " + HexFormat.of().formatHex(r.output());
        } else if (record instanceof JournalRecord.ChunkCommitted r) {
            return "chunk " + r.shard() + " [" + r.blockFrom() + "," + r.blockTo() + ") " + HexFormat.of().formatHex(r.output());
        } else if (record instanceof JournalRecord.CheckpointSaved r) {
            return "checkpoint " + r.task() + " #" + r.attempt() + " @" + r.step();
        }
        return record.toString();
    }

    private List<String> write(int records) throws IOException {
        List<String> written = new ArrayList<>();
        try (Journal j = open(new ArrayList<>())) {
            for (int i = 0; i < records; i++) {
                JournalRecord r = switch (i % 3) {
                    case 0 -> new JournalRecord.ShardCommitted(i, new byte[] {(byte) i, 2, 3});
                    case 1 -> new JournalRecord.ChunkCommitted(i, 0, 3, new byte[] {(byte) (i * 7)});
                    default -> new JournalRecord.CheckpointSaved("tile-" + i, 1, i);
                };
                j.append(r);
                written.add(describe(r));
            }
        }
        return written;
    }

    /** The issue's case: the high byte of a record length flipped half way through 299 records. */
    @Test
    void aDamagedLengthMidFileIsDamageNotATornTailAndTheDroppedRecordsAreCounted() throws IOException {
        List<String> written = write(299);
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        int at = recordOffset(bytes, 150);
        bytes[at] ^= 0x40; // the high byte of record 150's length
        Files.write(file, bytes);

        List<String> replayed = new ArrayList<>();
        int dropped;
        try (Journal j = open(replayed)) {
            dropped = j.recordsDropped();
        }

        assertEquals(written.subList(0, 150), replayed, "the records before the damage are kept");
        assertEquals(149, dropped, "the damaged record and the 148 after it");
        assertTrue(Files.exists(dir.resolve(JournalFormat.FILE_NAME + ".damaged")), "damage keeps a copy of the file");
    }

    /** Outcomes of one corrupted journal. */
    record Tally(int refused, int damageKept, int tornDropped, int harmless, int misreadAsTorn, int altered, int escaped) {
        int total() {
            return refused + damageKept + tornDropped + harmless + misreadAsTorn + altered + escaped;
        }
    }

    @Test
    void everySingleByteFlipIsDamageOrRefusedAndEveryTruncationATornTail() throws IOException {
        List<String> written = write(12);
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        byte[] original = Files.readAllBytes(file);
        boolean full = Boolean.getBoolean("shatter.fuzz.full");
        int[] masks = full ? new int[] {0xFF, 0x01, 0x80} : new int[] {0xFF, 0x80};

        int[] flips = new int[7];
        for (int at = 0; at < original.length; at++) {
            for (int mask : masks) {
                byte[] corrupted = original.clone();
                corrupted[at] ^= (byte) mask;
                flips[trial(file, corrupted, written, true)]++;
            }
        }
        int[] truncations = new int[7];
        for (int length = 0; length < original.length; length++) {
            truncations[trial(file, Arrays.copyOf(original, length), written, false)]++;
        }
        Tally f = tally(flips);
        Tally t = tally(truncations);
        System.out.println("journal of " + original.length + " bytes, " + written.size() + " records: " + f.total() + " byte flips "
                + f + "; " + t.total() + " truncations " + t);
        assertEquals(0, f.misreadAsTorn() + f.altered() + f.escaped() + f.harmless(), "every flip is detected: " + f);
        assertEquals(0, t.misreadAsTorn() + t.altered() + t.escaped() + t.damageKept(), "every truncation is a torn tail: " + t);
    }

    private static Tally tally(int[] n) {
        return new Tally(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
    }

    /** 0 refused, 1 damage with a copy kept, 2 torn tail, 3 harmless, 4 damage read as a tear, 5 altered data, 6 an exception. */
    private int trial(Path file, byte[] corrupted, List<String> written, boolean flipped) throws IOException {
        Path damagedCopy = dir.resolve(JournalFormat.FILE_NAME + ".damaged");
        Files.deleteIfExists(damagedCopy);
        Files.write(file, corrupted);
        List<String> replayed = new ArrayList<>();
        try {
            int dropped;
            try (Journal j = open(replayed)) {
                dropped = j.recordsDropped();
            }
            if (!written.subList(0, Math.min(replayed.size(), written.size())).equals(replayed) || replayed.size() > written.size()) {
                return 5;
            }
            if (replayed.size() == written.size()) {
                return 3;
            }
            if (Files.exists(damagedCopy)) {
                return dropped >= 1 ? 1 : 5;
            }
            // Nothing kept but a prefix: only a tear may do that, and only a truncation is a tear.
            return flipped ? 4 : 2;
        } catch (RunDirectoryException e) {
            return 0;
        } catch (RuntimeException | Error e) {
            System.out.println("escaped: " + e);
            return 6;
        }
    }

    /** Where record {@code index} (0 = the first after the header) starts. */
    private static int recordOffset(byte[] bytes, int index) {
        int at = JournalFormat.PREAMBLE_BYTES;
        for (int i = -1; i < index; i++) {
            at += JournalFormat.FRAME_BYTES + JournalFormat.getInt(bytes, at);
        }
        return at;
    }
}
