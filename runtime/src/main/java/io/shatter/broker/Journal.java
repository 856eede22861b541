package io.shatter.broker;

import io.shatter.RunDirectoryException;
import io.shatter.protocol.ProtocolException;
import io.shatter.protocol.WireReader;
import io.shatter.protocol.WireWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The broker's journal: an append-only file in the run directory recording what the run has
 * committed, so that a broker killed and started again with the same command and run directory
 * (as {@code sbatch --requeue} does) resumes without recomputing committed shards.
 *
 * <p>Layout of {@value #FILE_NAME}: the magic {@code SHATJRNL}, the format version as a 4-byte
 * big-endian int, then records. Every record, the header record first, is framed as
 * {@code [payload length: int32][CRC32C of payload: int32][payload]}, the payload encoded with
 * {@link WireWriter} (varints and length-prefixed bytes, never Java serialization):
 * <pre>
 * header            graph name, graph fingerprint, run identity (the program's arguments), created at (epoch ms)
 * 1 shard committed shard index, output bytes
 * 2 chunk committed shard index, block from, block to, the chunk's output (partial results of its blocks)
 * 3 checkpoint      task name, attempt, step (informational: the checkpoint store stays the source of truth)
 * 4 run finished    shards committed
 * </pre>
 *
 * <p>Durability: appends go to a buffer that {@link #flush()} hands to the operating system once
 * per broker loop batch, so a killed JVM loses nothing it flushed; the file is forced to the device
 * at most about once a second and on {@link #close()}, so a power loss loses at most about a second
 * of commits (they are recomputed) without making many tiny shards slow.
 *
 * <p>Opening a run directory: a torn last record (the process died mid-write) is dropped and the
 * file truncated to the last good record, with a WARN; a damaged record in the middle keeps a copy
 * of the whole file as {@code journal.bin.damaged} before truncating. A journal of a finished run is
 * renamed to {@value #FINISHED_FILE_NAME} (replacing an older one) and a new run starts. A journal
 * of another graph, other arguments or another format version is refused with a
 * {@link RunDirectoryException} and left untouched. The file is locked while a broker uses it.
 */
public final class Journal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /** The journal's file name in the run directory. */
    public static final String FILE_NAME = "journal.bin";
    /** Where the journal of a finished run is moved when a new run starts in the same directory. */
    public static final String FINISHED_FILE_NAME = "journal-finished.bin";
    /** Bumped whenever the layout changes; a journal of another version is refused, not misread. */
    public static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = "SHATJRNL".getBytes(StandardCharsets.US_ASCII);
    static final int PREAMBLE_BYTES = MAGIC.length + 4;
    static final int FRAME_BYTES = 8;

    static final int SHARD_COMMITTED = 1;
    static final int CHUNK_COMMITTED = 2;
    static final int CHECKPOINT = 3;
    static final int RUN_FINISHED = 4;

    private static final long FORCE_INTERVAL_NANOS = 1_000_000_000L;
    private static final int SHRINK_ABOVE_BYTES = 1 << 24;

    /** What a replayed journal tells its reader, in the order it was written. */
    public interface Replay {
        /** Shard {@code shard} committed {@code output}. */
        void shardCommitted(int shard, byte[] output);

        /** Blocks {@code [blockFrom, blockTo)} of range shard {@code shard} produced {@code output} (a chunk's result). */
        void chunkCommitted(int shard, int blockFrom, int blockTo, byte[] output);

        /** A checkpoint of {@code task} at {@code step} was saved (informational). */
        default void checkpointSaved(String task, int attempt, long step) {
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final WireWriter payload = new WireWriter(1 << 10);
    private final CRC32C crc = new CRC32C();
    private byte[] pending = new byte[1 << 16];
    private int pendingSize;
    private long lastForceNanos = System.nanoTime();
    private boolean unforced;
    private boolean directoryUnsynced;
    private final int recordsReplayed;

    private Journal(Path file, FileChannel channel, FileLock lock, int recordsReplayed) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.recordsReplayed = recordsReplayed;
    }

    /**
     * Opens the journal in {@code runDirectory} (creating both if needed), replays an unfinished
     * journal of the same graph and arguments into {@code replay}, and positions it for appending.
     *
     * @param graphName   the graph's name
     * @param fingerprint the graph's structural fingerprint
     * @param identity    what else decides the outputs (the program's arguments); "" if nothing
     * @throws RunDirectoryException if the directory cannot be used; nothing in it was changed
     */
    public static Journal open(Path runDirectory, String graphName, String fingerprint, String identity, Replay replay) {
        Path dir = runDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new RunDirectoryException("cannot create the run directory " + dir + " (" + describe(e)
                    + "); choose a writable run directory (--run-dir)", e);
        }
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = lockOrRefuse(channel, dir);
            Header expected = new Header(graphName, fingerprint, identity);
            // Checked from the end first: a new run in the directory of a finished one need not read the whole file.
            Scan scan = endsWithRunFinished(channel) ? new Scan(channel.size(), 0, true, true, false)
                    : scan(file, channel.size(), expected, dir);
            if (scan.finished) {
                // A finished run is kept for inspection; the next run in this directory starts afresh.
                lock.release();
                channel.close();
                channel = null;
                Files.move(file, dir.resolve(FINISHED_FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("run directory {} held a finished run; its journal is now {} and a new run starts", dir, FINISHED_FILE_NAME);
                return open(runDirectory, graphName, fingerprint, identity, replay);
            }
            if (scan.goodEnd < PREAMBLE_BYTES || !scan.headerValid) {
                if (channel.size() > 0) {
                    LOG.info("journal {} holds nothing to resume ({} bytes: a torn header, or a run that committed nothing); "
                            + "starting it again", file, channel.size());
                }
                channel.truncate(0);
                writeHeader(channel, expected);
                Journal created = new Journal(file, channel, lock, 0);
                created.unforced = true; // the header and the new directory entry become durable with the first force
                created.directoryUnsynced = true;
                return created;
            }
            if (scan.goodEnd < channel.size()) {
                if (scan.damagedInMiddle) {
                    Path copy = dir.resolve(FILE_NAME + ".damaged");
                    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                    LOG.warn("journal {} has a damaged record at byte {} followed by more data; a copy of the whole file is in {}; "
                            + "shards recorded after it will run again", file, scan.goodEnd, copy);
                } else {
                    LOG.warn("journal {}: dropped a torn last record at byte {} ({} bytes; the process died while writing it), "
                            + "{} records kept", file, scan.goodEnd, channel.size() - scan.goodEnd, scan.records);
                }
                channel.truncate(scan.goodEnd);
                channel.force(true);
            }
            int replayed = replay(file, scan.goodEnd, replay);
            channel.position(scan.goodEnd);
            if (replayed > 0) {
                LOG.info("resuming the unfinished run in {}: {} journal records replayed", dir, replayed);
            }
            return new Journal(file, channel, lock, replayed);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RunDirectoryException("cannot use the journal " + file + " (" + describe(e)
                    + "); choose a writable run directory (--run-dir) or free space on its file system", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static FileLock lockOrRefuse(FileChannel channel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new RunDirectoryException("run directory " + dir + " is in use by another running Shatter broker (its "
                    + FILE_NAME + " is locked); wait for that run to end, or use another --run-dir");
        }
        return lock;
    }

    /** Records replayed when the journal was opened. */
    public int recordsReplayed() {
        return recordsReplayed;
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- appending

    /** Records that shard {@code shard} committed {@code output}. */
    public void shardCommitted(int shard, byte[] output) {
        payload.reset();
        payload.writeByte(SHARD_COMMITTED).writeVarInt(shard).writeBytes(output);
        append();
    }

    /** Records that blocks {@code [blockFrom, blockTo)} of range shard {@code shard} produced {@code output}. */
    public void chunkCommitted(int shard, int blockFrom, int blockTo, byte[] output) {
        payload.reset();
        payload.writeByte(CHUNK_COMMITTED).writeVarInt(shard).writeVarInt(blockFrom).writeVarInt(blockTo).writeBytes(output);
        append();
    }

    /** Records that a checkpoint of {@code task} at {@code step} is durable. */
    public void checkpointSaved(String task, int attempt, long step) {
        payload.reset();
        payload.writeByte(CHECKPOINT).writeString(task).writeVarInt(attempt).writeSignedVarLong(step);
        append();
    }

    /** Records that the run finished with {@code shardsCommitted} shards; the next run in the directory starts afresh. */
    public void runFinished(int shardsCommitted) {
        payload.reset();
        payload.writeByte(RUN_FINISHED).writeVarInt(shardsCommitted);
        append();
    }

    private void append() {
        int length = payload.size();
        ensurePending(FRAME_BYTES + length);
        int at = pendingSize;
        payload.copyTo(pending, at + FRAME_BYTES);
        crc.reset();
        crc.update(pending, at + FRAME_BYTES, length);
        putInt(pending, at, length);
        putInt(pending, at + 4, (int) crc.getValue());
        pendingSize += FRAME_BYTES + length;
    }

    /**
     * Hands buffered records to the operating system (they survive a killed process from here on)
     * and forces the file to the device if the last force is about a second old.
     */
    public void flush() throws IOException {
        if (pendingSize > 0) {
            ByteBuffer bytes = ByteBuffer.wrap(pending, 0, pendingSize);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            pendingSize = 0;
            unforced = true;
            if (pending.length > SHRINK_ABOVE_BYTES) {
                pending = new byte[1 << 16]; // one huge output must not pin a huge buffer for the rest of the run
            }
        }
        if (unforced && System.nanoTime() - lastForceNanos >= FORCE_INTERVAL_NANOS) {
            force();
        }
    }

    /** Whether written records have not been forced to the device yet. */
    public boolean hasUnforcedRecords() {
        return unforced || pendingSize > 0;
    }

    private void force() throws IOException {
        channel.force(false);
        if (directoryUnsynced) {
            syncDirectory(file.getParent());
            directoryUnsynced = false;
        }
        unforced = false;
        lastForceNanos = System.nanoTime();
    }

    /** Flushes, forces and closes; the journal stays unfinished unless {@link #runFinished} was appended. */
    @Override
    public void close() throws IOException {
        try {
            flush();
            if (unforced) {
                force();
            }
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private void ensurePending(int extra) {
        if (pendingSize + extra > pending.length) {
            long wanted = Math.max((long) pending.length * 2, (long) pendingSize + extra);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("journal batch larger than 2 GiB");
            }
            pending = Arrays.copyOf(pending, (int) wanted);
        }
    }

    // ---------------------------------------------------------------- reading

    private record Header(String graphName, String fingerprint, String identity) {
    }

    /** What a first pass over the file found: where the good records end and whether the run finished. */
    private record Scan(long goodEnd, int records, boolean headerValid, boolean finished, boolean damagedInMiddle) {
    }

    /**
     * First pass: checks the preamble and header (refusing a foreign or other-version journal) and
     * every record's frame and checksum, without decoding records, so nothing is replayed from a
     * journal that turns out to be finished.
     */
    private static Scan scan(Path file, long size, Header expected, Path dir) throws IOException {
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
    private static boolean endsWithRunFinished(FileChannel channel) throws IOException {
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
    private static String checkHeader(byte[] header, Header expected, Path file, Path dir) {
        Header found;
        try {
            WireReader r = new WireReader(header);
            found = new Header(r.readString(), r.readString(), r.readString());
        } catch (ProtocolException e) {
            throw new RunDirectoryException("the header of " + file + " is unreadable (" + e.getMessage()
                    + "); move the file away, or use another --run-dir");
        }
        if (!found.graphName.equals(expected.graphName) || !found.fingerprint.equals(expected.fingerprint)) {
            return ("run dir " + dir + " holds an unfinished run of graph '" + found.graphName
                    + "' (fingerprint " + found.fingerprint + "), not of this graph '" + expected.graphName + "' (fingerprint "
                    + expected.fingerprint + "); run the same command to resume it, or use another --run-dir / delete " + dir);
        }
        if (!found.identity.equals(expected.identity)) {
            return ("run dir " + dir + " holds an unfinished run of graph '" + found.graphName
                    + "' started with other arguments (" + found.identity + ", now " + expected.identity
                    + "); run the same command to resume it, or use another --run-dir / delete " + dir);
        }
        return null;
    }

    /** Second pass: decodes the verified records up to {@code end} and hands them to {@code replay}. */
    private static int replay(Path file, long end, Replay replay) throws IOException {
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

    private static void decode(byte[] payload, Replay replay, Path file, long position) {
        try {
            WireReader r = new WireReader(payload);
            int type = r.readByte();
            switch (type) {
                case SHARD_COMMITTED -> replay.shardCommitted(r.readVarInt(), r.readBytes());
                case CHUNK_COMMITTED -> replay.chunkCommitted(r.readVarInt(), r.readVarInt(), r.readVarInt(), r.readBytes());
                case CHECKPOINT -> replay.checkpointSaved(r.readString(), r.readVarInt(), r.readSignedVarLong());
                case RUN_FINISHED -> r.readVarInt();
                default -> throw new ProtocolException("unknown record type " + type);
            }
        } catch (ProtocolException e) {
            throw new RunDirectoryException("the record ending at byte " + position + " of " + file + " passed its checksum but "
                    + "cannot be read (" + e.getMessage() + "); move the file away, or use another --run-dir");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void writeHeader(FileChannel channel, Header header) throws IOException {
        WireWriter w = new WireWriter(256);
        w.writeString(header.graphName).writeString(header.fingerprint).writeString(header.identity)
                .writeVarLong(System.currentTimeMillis());
        byte[] out = new byte[PREAMBLE_BYTES + FRAME_BYTES + w.size()];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        putInt(out, MAGIC.length, FORMAT_VERSION);
        w.copyTo(out, PREAMBLE_BYTES + FRAME_BYTES);
        CRC32C check = new CRC32C();
        check.update(out, PREAMBLE_BYTES + FRAME_BYTES, w.size());
        putInt(out, PREAMBLE_BYTES, w.size());
        putInt(out, PREAMBLE_BYTES + 4, (int) check.getValue());
        channel.position(0);
        ByteBuffer bytes = ByteBuffer.wrap(out);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Makes the new file's directory entry durable too (a no-op where directories cannot be opened). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private static void putInt(byte[] target, int at, int value) {
        target[at] = (byte) (value >>> 24);
        target[at + 1] = (byte) (value >>> 16);
        target[at + 2] = (byte) (value >>> 8);
        target[at + 3] = (byte) value;
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? ": " + f.getFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing: the first error is the one to report
            }
        }
    }

    @Override
    public String toString() {
        return "Journal[" + file + "]";
    }
}
