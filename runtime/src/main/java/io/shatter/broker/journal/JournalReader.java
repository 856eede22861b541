package io.shatter.broker.journal;

import io.shatter.RunDirectoryException;
import io.shatter.broker.core.JournalRecord;
import io.shatter.protocol.ProtocolException;
import io.shatter.protocol.WireReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static io.shatter.broker.journal.JournalFormat.FORMAT_VERSION;
import static io.shatter.broker.journal.JournalFormat.FRAME_BYTES;
import static io.shatter.broker.journal.JournalFormat.MAGIC;
import static io.shatter.broker.journal.JournalFormat.PREAMBLE_BYTES;
import static io.shatter.broker.journal.JournalFormat.RUN_FINISHED;

/**
 * Reads a journal: a first pass checks the preamble, the header and every record's frame and
 * checksum (telling a torn last record from damage in the middle); a second decodes the verified
 * records, in order, for the core to replay through its commit path.
 */
final class JournalReader {
    private static final Logger LOG = LoggerFactory.getLogger(JournalReader.class);

    private JournalReader() {
    }

    /**
     * What a first pass over the file found: where the good records end, whether the run finished,
     * and what lies after the good records (nothing, a torn last record, or damage).
     */
    record Scan(long goodEnd, int records, boolean headerValid, boolean finished, Tail tail) {
        static Scan nothing() {
            return new Scan(0, 0, false, false, new Tail.Clean());
        }
    }

    /** What follows the last good record. */
    sealed interface Tail {
        /** The file ends with the last good record. */
        record Clean() implements Tail {
        }

        /** One record the process died while writing: complete frame fields, fewer payload bytes than its length says. */
        record Torn() implements Tail {
        }

        /**
         * A record whose frame or payload fails its checksum; {@code recordsDropped} counts it and
         * every record found after it (they are dropped with it and run again).
         */
        record Damaged(int recordsDropped) implements Tail {
        }
    }

    /**
     * First pass: checks the preamble and header (refusing a foreign or other-version journal) and
     * every record's frame and checksum, without decoding records, so nothing is replayed from a
     * journal that turns out to be finished.
     */
    static Scan scan(Path file, long size, JournalFormat.Header expected, Path dir) throws IOException {
        if (size == 0) {
            return Scan.nothing();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            int got = in.readNBytes(magic, 0, magic.length);
            if (!Arrays.equals(Arrays.copyOf(magic, got), Arrays.copyOf(MAGIC, got))) {
                throw new RunDirectoryException(file + " is not a Shatter journal (it does not start with "
                        + new String(MAGIC, StandardCharsets.US_ASCII) + "); move it away, or use another --run-dir");
            }
            if (got < MAGIC.length || size < PREAMBLE_BYTES) {
                return Scan.nothing();
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new RunDirectoryException("run directory " + dir + " holds an unfinished run journaled in format version "
                        + version + ", but this Shatter reads version " + FORMAT_VERSION + ": finish it with the Shatter "
                        + "version that started it, or use another --run-dir / delete " + dir);
            }
            long position = PREAMBLE_BYTES;
            Framed header = readRecord(in, size - position);
            if (header instanceof Framed.Damaged) {
                throw new RunDirectoryException("the header of " + file + " fails its checksum, so whose run it holds is "
                        + "unknown; move the file away, or use another --run-dir");
            }
            if (!(header instanceof Framed.Good good)) {
                return Scan.nothing();
            }
            String mismatch = checkHeader(good.payload(), expected, file, dir);
            position += FRAME_BYTES + good.payload().length;
            int records = 0;
            int lastType = 0;
            Tail tail = new Tail.Clean();
            while (position < size) {
                Framed next = readRecord(in, size - position);
                if (next instanceof Framed.Good record) {
                    position += FRAME_BYTES + record.payload().length;
                    records++;
                    lastType = record.payload().length > 0 ? record.payload()[0] & 0xFF : 0;
                } else {
                    tail = next instanceof Framed.Torn ? new Tail.Torn() : new Tail.Damaged(countRecordsFrom(file, position, size));
                    break;
                }
            }
            boolean finished = lastType == RUN_FINISHED;
            if (mismatch != null && !finished) {
                if (records > 0) {
                    throw new RunDirectoryException(mismatch);
                }
                LOG.info("journal {} of another graph or arguments recorded nothing to resume; starting a new one", file);
                return Scan.nothing();
            }
            return new Scan(position, records, true, finished, tail);
        }
    }

    /**
     * Whether the file ends with a complete, valid run-finished record. Its payload is the type and
     * one varint (1 to 5 bytes), so the frame can only start at one of five places from the end;
     * the checksums rule out a chance match.
     */
    static boolean endsWithRunFinished(FileChannel channel) throws IOException {
        long size = channel.size();
        int tail = FRAME_BYTES + 6;
        if (size < PREAMBLE_BYTES + tail) {
            return false;
        }
        ByteBuffer last = ByteBuffer.allocate(tail);
        while (last.hasRemaining()) {
            if (channel.read(last, size - tail + last.position()) < 0) {
                return false;
            }
        }
        byte[] bytes = last.array();
        CRC32C check = new CRC32C();
        for (int payloadLength = 2; payloadLength <= 6; payloadLength++) {
            int frame = tail - payloadLength - FRAME_BYTES;
            if (JournalFormat.getInt(bytes, frame) == payloadLength && (bytes[frame + FRAME_BYTES] & 0xFF) == RUN_FINISHED
                    && JournalFormat.getInt(bytes, frame + 4) == JournalFormat.lengthChecksum(payloadLength, check)) {
                check.reset();
                check.update(bytes, frame + FRAME_BYTES, payloadLength);
                if ((int) check.getValue() == JournalFormat.getInt(bytes, frame + 8)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What reading one framed record found. */
    private sealed interface Framed {
        /** A record whose frame and payload pass their checksums. */
        record Good(byte[] payload) implements Framed {
        }

        /** The file ends inside a record whose length is intact: a write the process did not finish. */
        record Torn() implements Framed {
        }

        /** A length or payload failing its checksum: damage, wherever it is. */
        record Damaged() implements Framed {
        }
    }

    /**
     * One framed record. Torn only when what is there is a verified prefix of a record (its length
     * checksum holds, or too little of the frame is left to hold one) that lacks bytes; anything
     * failing a checksum is damage, so a damaged length is never read as a tear.
     */
    private static Framed readRecord(DataInputStream in, long bytesLeft) throws IOException {
        CRC32C check = new CRC32C();
        if (bytesLeft < FRAME_BYTES) {
            if (bytesLeft >= 8) { // the length and its checksum are there: they must agree even in a torn frame
                int length = in.readInt();
                return in.readInt() == JournalFormat.lengthChecksum(length, check) ? new Framed.Torn() : new Framed.Damaged();
            }
            return new Framed.Torn();
        }
        int length = in.readInt();
        int lengthChecksum = in.readInt();
        int checksum = in.readInt();
        if (lengthChecksum != JournalFormat.lengthChecksum(length, check) || length < 0) {
            return new Framed.Damaged();
        }
        if (length > bytesLeft - FRAME_BYTES) {
            return new Framed.Torn();
        }
        byte[] payload = new byte[length]; // no larger than the bytes left in the file, checked above
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            return new Framed.Torn(); // the file shrank under us
        }
        check.reset();
        check.update(payload);
        return (int) check.getValue() == checksum ? new Framed.Good(payload) : new Framed.Damaged();
    }

    /**
     * How many records lie from {@code from} (a damaged one) to the end: frames whose length
     * checksum holds are stepped over whole, other bytes one at a time (so that the count resumes
     * after a damaged length). Counted for the warning only; at least 1.
     */
    private static int countRecordsFrom(Path file, long from, long size) throws IOException {
        if (size - from > 1L << 30) {
            return 1; // too much to map for a count
        }
        ByteBuffer tail;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            tail = channel.map(FileChannel.MapMode.READ_ONLY, from, size - from);
        }
        CRC32C check = new CRC32C();
        int count = 0;
        int position = 0;
        boolean first = true;
        while (position + FRAME_BYTES <= tail.limit()) {
            int length = tail.getInt(position);
            if (length >= 0 && length <= tail.limit() - position - FRAME_BYTES
                    && tail.getInt(position + 4) == JournalFormat.lengthChecksum(length, check)) {
                count++;
                position += FRAME_BYTES + length;
            } else {
                if (first) {
                    count++; // the damaged record itself, whose length cannot be trusted
                }
                position++;
            }
            first = false;
        }
        return Math.max(1, count);
    }

    /** Null if the journal is of the expected graph and arguments, else the message refusing it. */
    private static String checkHeader(byte[] header, JournalFormat.Header expected, Path file, Path dir) {
        JournalFormat.Header found;
        try {
            WireReader r = new WireReader(header);
            found = new JournalFormat.Header(r.readString(), r.readString(), r.readString());
        } catch (ProtocolException e) {
            throw new RunDirectoryException("the header of " + file + " is unreadable (" + e.getMessage()
                    + "); move the file away, or use another --run-dir");
        }
        if (!found.graphName().equals(expected.graphName()) || !found.fingerprint().equals(expected.fingerprint())) {
            return ("run dir " + dir + " holds an unfinished run of graph '" + found.graphName()
                    + "' (fingerprint " + found.fingerprint() + "), not of this graph '" + expected.graphName() + "' (fingerprint "
                    + expected.fingerprint() + "); run the same command to resume it, or use another --run-dir / delete " + dir);
        }
        if (!found.identity().equals(expected.identity())) {
            return ("run dir " + dir + " holds an unfinished run of graph '" + found.graphName()
                    + "' started with other arguments (" + found.identity() + ", now " + expected.identity()
                    + "); run the same command to resume it, or use another --run-dir / delete " + dir);
        }
        return null;
    }

    /** Second pass: decodes the verified records up to {@code end} and hands them to {@code replay}. */
    static int replay(Path file, long end, Consumer<JournalRecord> replay) throws IOException {
        int records = 0;
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            in.skipNBytes(PREAMBLE_BYTES);
            long position = PREAMBLE_BYTES;
            boolean header = true;
            while (position < end) {
                int length = in.readInt();
                in.readInt(); // the checksums: verified by the first pass
                in.readInt();
                byte[] payload = in.readNBytes(length);
                position += FRAME_BYTES + length;
                if (header) {
                    header = false;
                    continue;
                }
                decode(payload, replay, file, position);
                records++;
            }
        }
        return records;
    }

    private static void decode(byte[] payload, Consumer<JournalRecord> replay, Path file, long position) {
        JournalRecord record;
        try {
            record = JournalFormat.decode(payload);
        } catch (RuntimeException e) { // a ProtocolException, or anything else a decoder should not throw: never a crash
            throw new RunDirectoryException("the record ending at byte " + position + " of " + file + " passed its checksum but "
                    + "cannot be read (" + e + "); move the file away, or use another --run-dir");
        }
        replay.accept(record);
    }

}
