package io.shatter.broker.journal;

import io.shatter.RunDirectoryException;
import io.shatter.broker.core.JournalRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal file on its own: what is written is replayed, torn and foreign files are handled as documented. */
class JournalTest {
    @TempDir
    Path dir;

    /** Collects replayed records as readable lines. */
    private static final class Recorded implements Consumer<JournalRecord> {
        final List<String> lines = new ArrayList<>();
        final List<byte[]> outputs = new ArrayList<>();

        @Override
        public void accept(JournalRecord record) {
            if (record instanceof JournalRecord.ShardCommitted r) {
                lines.add("shard " + r.shard());
                outputs.add(r.output());
            } else if (record instanceof JournalRecord.ChunkCommitted r) {
                lines.add("chunk " + r.shard() + " [" + r.blockFrom() + "," + r.blockTo() + ")");
                outputs.add(r.output());
            } else if (record instanceof JournalRecord.CheckpointSaved r) {
                lines.add("checkpoint " + r.task() + " #" + r.attempt() + " @" + r.step());
            }
        }
    }

    private Journal open(Recorded into) {
        return Journal.open(dir, "g", "f00d", "--size 3", into, 0);
    }

    private void writeSample() throws IOException {
        try (Journal j = open(new Recorded())) {
            j.append(new JournalRecord.ShardCommitted(0, new byte[] {1, 2, 3}));
            j.flush(0);
            j.append(new JournalRecord.ChunkCommitted(4, 2, 5, new byte[] {9}));
            j.append(new JournalRecord.CheckpointSaved("tile-1-0-0", 2, 17));
            j.append(new JournalRecord.ShardCommitted(1, new byte[0]));
            byte[] big = new byte[300_000]; // larger than the initial batch buffer
            Arrays.fill(big, (byte) 7);
            j.append(new JournalRecord.ShardCommitted(2, big));
        }
    }

    @Test
    void replaysWhatWasWrittenInOrder() throws IOException {
        writeSample();
        Recorded replayed = new Recorded();
        try (Journal j = open(replayed)) {
            assertEquals(5, j.recordsReplayed());
        }
        assertEquals(List.of("shard 0", "chunk 4 [2,5)", "checkpoint tile-1-0-0 #2 @17", "shard 1", "shard 2"), replayed.lines);
        assertArrayEquals(new byte[] {1, 2, 3}, replayed.outputs.get(0));
        assertArrayEquals(new byte[] {9}, replayed.outputs.get(1));
        assertEquals(0, replayed.outputs.get(2).length);
        assertEquals(300_000, replayed.outputs.get(3).length);
        assertEquals(7, replayed.outputs.get(3)[299_999]);
    }

    @Test
    void appendsAfterAReplayAreReplayedNextTime() throws IOException {
        writeSample();
        try (Journal j = open(new Recorded())) {
            j.append(new JournalRecord.ShardCommitted(3, new byte[] {42}));
        }
        Recorded replayed = new Recorded();
        open(replayed).close();
        assertEquals("shard 3", replayed.lines.get(replayed.lines.size() - 1));
        assertEquals(6, replayed.lines.size());
    }

    @Test
    void tornLastRecordIsDroppedAndTheFileTruncated() throws IOException {
        writeSample();
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        long complete = Files.size(file);
        try (Journal j = open(new Recorded())) {
            j.append(new JournalRecord.ShardCommitted(3, new byte[100]));
        }
        // The process died in the middle of the last write: half of the record reached the file.
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(complete + 50);
        }
        Recorded replayed = new Recorded();
        open(replayed).close();
        assertEquals(5, replayed.lines.size(), replayed.lines.toString());
        assertEquals(complete, Files.size(file), "truncated to the last good record");
        assertFalse(Files.exists(dir.resolve(JournalFormat.FILE_NAME + ".damaged")), "a torn tail is not damage");
    }

    @Test
    void damagedRecordInTheMiddleKeepsACopyAndTheRecordsBeforeIt() throws IOException {
        writeSample();
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        int firstRecordPayload = firstRecordOffset(bytes) + JournalFormat.FRAME_BYTES;
        byte[] damaged = bytes.clone();
        int secondRecordPayload = firstRecordPayload + readInt(bytes, firstRecordPayload - JournalFormat.FRAME_BYTES) + JournalFormat.FRAME_BYTES;
        damaged[secondRecordPayload + 1] ^= 0x55; // a flipped bit in the chunk record
        Files.write(file, damaged);
        Recorded replayed = new Recorded();
        open(replayed).close();
        assertEquals(List.of("shard 0"), replayed.lines);
        assertArrayEquals(damaged, Files.readAllBytes(dir.resolve(JournalFormat.FILE_NAME + ".damaged")));
    }

    @Test
    void journalOfAnotherGraphIsRefusedAndLeftAlone() throws IOException {
        writeSample();
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        byte[] before = Files.readAllBytes(file);
        RunDirectoryException e = assertThrows(RunDirectoryException.class,
                () -> Journal.open(dir, "other", "beef", "--size 3", new Recorded(), 0));
        assertTrue(e.getMessage().contains("unfinished run of graph 'g'") && e.getMessage().contains(dir.toString())
                && e.getMessage().contains("run the same command to resume it"), e.getMessage());
        RunDirectoryException args = assertThrows(RunDirectoryException.class,
                () -> Journal.open(dir, "g", "f00d", "--size 4", new Recorded(), 0));
        assertTrue(args.getMessage().contains("other arguments (--size 3, now --size 4)"), args.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void journalOfAnotherFormatVersionIsRefusedAndLeftAlone() throws IOException {
        writeSample();
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[JournalFormat.MAGIC.length + 3] = (byte) (JournalFormat.FORMAT_VERSION + 1);
        Files.write(file, bytes);
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> open(new Recorded()));
        assertTrue(e.getMessage().contains("format version " + (JournalFormat.FORMAT_VERSION + 1)), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void aFileThatIsNotAJournalIsRefused() throws IOException {
        Files.writeString(dir.resolve(JournalFormat.FILE_NAME), "hello, I am someone's notes");
        RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> open(new Recorded()));
        assertTrue(e.getMessage().contains("is not a Shatter journal"), e.getMessage());
        assertEquals("hello, I am someone's notes", Files.readString(dir.resolve(JournalFormat.FILE_NAME)));
    }

    @Test
    void finishedRunIsMovedAsideAndANewRunStarts() throws IOException {
        writeSample();
        try (Journal j = open(new Recorded())) {
            j.append(new JournalRecord.RunFinished(3));
        }
        Recorded replayed = new Recorded();
        try (Journal j = open(replayed)) {
            assertEquals(0, j.recordsReplayed());
        }
        assertTrue(replayed.lines.isEmpty(), replayed.lines.toString());
        assertTrue(Files.size(dir.resolve(JournalFormat.FINISHED_FILE_NAME)) > 300_000, "the finished journal is kept");
        // A run with other arguments may now use the directory.
        Journal.open(dir, "other", "beef", "", new Recorded(), 0).close();
    }

    @Test
    void secondBrokerOnTheSameDirectoryIsRefused() {
        try (Journal first = open(new Recorded())) {
            RunDirectoryException e = assertThrows(RunDirectoryException.class, () -> open(new Recorded()));
            assertTrue(e.getMessage().contains("in use by another running Shatter broker"), e.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void unwritableRunDirectoryIsAClearError() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        RunDirectoryException e = assertThrows(RunDirectoryException.class,
                () -> Journal.open(blocker.resolve("run"), "g", "f", "", new Recorded(), 0));
        assertTrue(e.getMessage().contains("cannot create the run directory") && e.getMessage().contains("--run-dir"), e.getMessage());
    }

    @Test
    void tornHeaderStartsAgain() throws IOException {
        open(new Recorded()).close();
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(JournalFormat.PREAMBLE_BYTES + 3);
        }
        try (Journal j = open(new Recorded())) {
            j.append(new JournalRecord.ShardCommitted(0, new byte[] {5}));
        }
        Recorded replayed = new Recorded();
        open(replayed).close();
        assertEquals(List.of("shard 0"), replayed.lines);
    }

    private static int firstRecordOffset(byte[] bytes) {
        int headerLength = readInt(bytes, JournalFormat.PREAMBLE_BYTES);
        return JournalFormat.PREAMBLE_BYTES + JournalFormat.FRAME_BYTES + headerLength;
    }

    private static int readInt(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes, at, 4).getInt();
    }
}
