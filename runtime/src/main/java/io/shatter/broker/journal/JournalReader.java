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

    /** What a first pass over the file found: where the good records end and whether the run finished. */
    record Scan(long goodEnd, int records, boolean headerValid, boolean finished, boolean damagedInMiddle) {
    }

    /**
     * First pass: checks the preamble and header (refusing a foreign or other-version journal) and
     * every record's frame and checksum, without decoding records, so nothing is replayed from a
     * journal that turns out to be finished.
     */
    static Scan scan(Path file, long size, JournalFormat.Header expected, Path dir) throws IOException {
        if (size == 0) {
            return new Scan(0, 0, false, false, false);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            int got = in.readNBytes(magic, 0, magic.length);
            if (!Arrays.equals(Arrays.copyOf(magic, got), Arrays.copyOf(MAGIC, got))) {
                throw new RunDirectoryException(file + " is not a Shatter journal (it does not start with "
                        + new String(MAGIC, StandardCharsets.US_ASCII) + "); move it away, or use another --run-dir");
            }
            if (got < MAGIC.length || size < PREAMBLE_BYTES) {
                return new Scan(0, 0, false, false, false);
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new RunDirectoryException("run directory " + dir + " holds an unfinished run journaled in format version "
                        + version + ", but this Shatter reads version " + FORMAT_VERSION + ": finish it with the Shatter "
                        + "version that started it, or use another --run-dir / delete " + dir);
            }
            long position = PREAMBLE_BYTES;
            byte[] header;
            try {
                header = readRecord(in, size - position);
            } catch (DamagedRecord e) {
                throw new RunDirectoryException("the header of " + file + " fails its checksum, so whose run it holds is "
                        + "unknown; move the file away, or use another --run-dir");
            }
            if (header == null) {
                return new Scan(0, 0, false, false, false);
            }
            String mismatch = checkHeader(header, expected, file, dir);
            position += FRAME_BYTES + header.length;
            int records = 0;
            int lastType = 0;
            boolean damagedInMiddle = false;
            while (position < size) {
                long left = size - position;
                byte[] record;
                try {
                    record = readRecord(in, left);
                } catch (DamagedRecord e) {
                    record = null;
                    damagedInMiddle = position + e.recordBytes < size;
                }
                if (record == null) {
                    break;
                }
                position += FRAME_BYTES + record.length;
                records++;
                lastType = record.length > 0 ? record[0] & 0xFF : 0;
            }
            boolean finished = lastType == RUN_FINISHED;
            if (mismatch != null && !finished) {
                if (records > 0) {
                    throw new RunDirectoryException(mismatch);
                }
                LOG.info("journal {} of another graph or arguments recorded nothing to resume; starting a new one", file);
                return new Scan(0, 0, false, false, false);
            }
            return new Scan(position, records, true, finished, damagedInMiddle);
        }
    }

    /**
     * Whether the file ends with a complete, valid run-finished record. Its payload is the type and
     * one varint (1 to 5 bytes), so the frame can only start at one of five places from the end;
     * the checksum rules out a chance match.
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
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt(frame) == payloadLength && (bytes[frame + FRAME_BYTES] & 0xFF) == RUN_FINISHED) {
                check.reset();
                check.update(bytes, frame + FRAME_BYTES, payloadLength);
                if ((int) check.getValue() == b.getInt(frame + 4)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A record whose frame is complete but whose checksum is wrong. */
    private static final class DamagedRecord extends IOException {
        final long recordBytes;

        DamagedRecord(long recordBytes) {
            super("checksum mismatch");
            this.recordBytes = recordBytes;
        }
    }

    /**
     * One framed record's payload, verified; null when the frame runs past the end of the file (a
     * torn record); {@link DamagedRecord} when it is complete but its checksum is wrong.
     */
    private static byte[] readRecord(DataInputStream in, long bytesLeft) throws IOException {
        if (bytesLeft < FRAME_BYTES) {
            return null;
        }
        int length = in.readInt();
        int checksum = in.readInt();
        if (length < 0 || length > bytesLeft - FRAME_BYTES) {
            return null;
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            return null; // the file shrank under us: treat like a torn record
        }
        CRC32C check = new CRC32C();
        check.update(payload);
        if ((int) check.getValue() != checksum) {
            throw new DamagedRecord(FRAME_BYTES + (long) length);
        }
        return payload;
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
                in.readInt(); // checksum: verified by the first pass
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
        } catch (ProtocolException e) {
            throw new RunDirectoryException("the record ending at byte " + position + " of " + file + " passed its checksum but "
                    + "cannot be read (" + e.getMessage() + "); move the file away, or use another --run-dir");
        }
        replay.accept(record);
    }

}
