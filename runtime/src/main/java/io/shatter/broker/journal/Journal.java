package io.shatter.broker.journal;

import io.shatter.RunDirectoryException;
import io.shatter.broker.core.JournalRecord;
import io.shatter.files.PrivateFiles;
import io.shatter.protocol.WireWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The broker's journal, open for appending: an append-only file in the run directory recording what
 * the run has committed, so that a broker killed and started again with the same command and run
 * directory (as {@code sbatch --requeue} does) resumes without recomputing committed shards. The
 * bytes are {@link JournalFormat}'s; {@link JournalReader} reads them back at {@link #open}.
 *
 * <p>Durability: appends go to a buffer that {@link #flush} hands to the operating system once
 * per broker loop batch, so a killed JVM loses nothing it flushed; the file is forced to the device
 * about once a second (on the shell's clock, on a thread of its own: {@link BackgroundForce}) and
 * on {@link #close}, so a power loss loses at most about a second of commits (they are recomputed)
 * without making many tiny shards slow or stalling the broker while the device syncs.
 *
 * <p>Opening a run directory: a torn last record (the process died mid-write: its length intact,
 * bytes missing) is dropped and the file truncated to the last good record, with a WARN; anything
 * failing a checksum is damage, wherever it is: a copy of the whole file is kept as
 * {@code journal.bin.damaged}, the WARN counts the records dropped, then the file is truncated. A journal of a finished run is
 * renamed to {@code journal-finished.bin} (replacing an older one) and a new run starts. A journal
 * of another graph, other arguments or another format version is refused with a
 * {@link RunDirectoryException} and left untouched. The file is locked while a broker uses it.
 */
public final class Journal implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private static final long FORCE_INTERVAL_NANOS = 1_000_000_000L;
    private static final int SHRINK_ABOVE_BYTES = 1 << 24;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final WireWriter payload = new WireWriter(1 << 10);
    private final CRC32C crc = new CRC32C();
    private byte[] pending = new byte[1 << 16];
    private int pendingSize;
    private long lastForceNanos;
    private boolean unforced;
    private boolean directoryUnsynced;
    private final BackgroundForce background = new BackgroundForce();
    private final int recordsReplayed;
    private final int recordsDropped;

    private Journal(Path file, FileChannel channel, FileLock lock, int recordsReplayed, int recordsDropped, long nowNanos) {
        this.recordsDropped = recordsDropped;
        this.lastForceNanos = nowNanos;
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
    public static Journal open(Path runDirectory, String graphName, String fingerprint, String identity, Consumer<JournalRecord> replay,
                               long nowNanos) {
        Path dir = runDirectory.toAbsolutePath().normalize();
        try {
            PrivateFiles.createDirectories(dir); // 0700 when made here: the journal, checkpoints and outputs are the user's
        } catch (IOException e) {
            throw new RunDirectoryException("cannot create the run directory " + dir + " (" + JournalFormat.describe(e)
                    + "); choose a writable run directory (--run-dir)", e);
        }
        Path file = dir.resolve(JournalFormat.FILE_NAME);
        FileChannel channel = null;
        try {
            channel = PrivateFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = lockOrRefuse(channel, dir);
            JournalFormat.Header expected = new JournalFormat.Header(graphName, fingerprint, identity);
            // Checked from the end first: a new run in the directory of a finished one need not read the whole file.
            JournalReader.Scan scan = JournalReader.endsWithRunFinished(channel)
                    ? new JournalReader.Scan(channel.size(), 0, true, true, new JournalReader.Tail.Clean())
                    : JournalReader.scan(file, channel.size(), expected, dir);
            if (scan.finished()) {
                // A finished run is kept for inspection; the next run in this directory starts afresh.
                lock.release();
                channel.close();
                channel = null;
                Files.move(file, dir.resolve(JournalFormat.FINISHED_FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("run directory {} held a finished run; its journal is now {} and a new run starts", dir, JournalFormat.FINISHED_FILE_NAME);
                return open(runDirectory, graphName, fingerprint, identity, replay, nowNanos);
            }
            if (scan.goodEnd() < JournalFormat.PREAMBLE_BYTES || !scan.headerValid()) {
                if (channel.size() > 0) {
                    LOG.info("journal {} holds nothing to resume ({} bytes: a torn header, or a run that committed nothing); "
                            + "starting it again", file, channel.size());
                }
                channel.truncate(0);
                JournalFormat.writeHeader(channel, expected);
                Journal created = new Journal(file, channel, lock, 0, 0, nowNanos);
                created.unforced = true; // the header and the new directory entry become durable with the first force
                created.directoryUnsynced = true;
                return created;
            }
            int dropped = 0;
            if (scan.tail() instanceof JournalReader.Tail.Damaged damaged) {
                Path copy = dir.resolve(JournalFormat.FILE_NAME + ".damaged");
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                dropped = damaged.recordsDropped();
                LOG.warn("journal {} is damaged at byte {}: {} records kept, {} dropped (the damaged one and those after it; "
                        + "their shards run again); a copy of the whole file is in {}", file, scan.goodEnd(), scan.records(), dropped, copy);
            } else if (scan.tail() instanceof JournalReader.Tail.Torn) {
                dropped = 1;
                LOG.warn("journal {}: dropped a torn last record at byte {} ({} bytes; the process died while writing it), "
                        + "{} records kept", file, scan.goodEnd(), channel.size() - scan.goodEnd(), scan.records());
            }
            if (scan.goodEnd() < channel.size()) {
                channel.truncate(scan.goodEnd());
                channel.force(true);
            }
            int replayed = JournalReader.replay(file, scan.goodEnd(), replay);
            channel.position(scan.goodEnd());
            if (replayed > 0) {
                LOG.info("resuming the unfinished run in {}: {} journal records replayed", dir, replayed);
            }
            return new Journal(file, channel, lock, replayed, dropped, nowNanos);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new RunDirectoryException("cannot use the journal " + file + " (" + JournalFormat.describe(e)
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
                    + JournalFormat.FILE_NAME + " is locked); wait for that run to end, or use another --run-dir");
        }
        return lock;
    }

    /** Records replayed when the journal was opened. */
    public int recordsReplayed() {
        return recordsReplayed;
    }

    /** Records dropped when the journal was opened: a torn last one, or a damaged one and every record after it. */
    public int recordsDropped() {
        return recordsDropped;
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    // ---------------------------------------------------------------- appending

    /** Appends {@code record} to the batch the next {@link #flush} writes. */
    public void append(JournalRecord record) {
        payload.reset();
        JournalFormat.encode(record, payload);
        append();
    }

    private void append() {
        int length = payload.size();
        ensurePending(JournalFormat.FRAME_BYTES + length);
        int at = pendingSize;
        payload.copyTo(pending, at + JournalFormat.FRAME_BYTES);
        JournalFormat.putFrame(pending, at, length, crc);
        pendingSize += JournalFormat.FRAME_BYTES + length;
    }

    /**
     * Hands buffered records to the operating system (they survive a killed process from here on)
     * and forces the file to the device if the last force is about a second old.
     */
    public void flush(long nowNanos) throws IOException {
        background.check(); // a failed background force stops the run as a failed write does
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
        if (unforced && nowNanos - lastForceNanos >= FORCE_INTERVAL_NANOS) {
            boolean syncDirectory = directoryUnsynced;
            Path dir = file.getParent();
            // Covers every byte written so far; a force still running from a slow device is waited for next time.
            if (background.start(() -> {
                channel.force(false);
                if (syncDirectory) {
                    syncDirectory(dir);
                }
            })) {
                unforced = false;
                directoryUnsynced = false;
                lastForceNanos = nowNanos;
            }
        }
    }

    /** Whether written records have not been forced to the device yet. */
    public boolean hasUnforcedRecords() {
        return unforced || pendingSize > 0;
    }

    private void force(long nowNanos) throws IOException {
        channel.force(false);
        if (directoryUnsynced) {
            syncDirectory(file.getParent());
            directoryUnsynced = false;
        }
        unforced = false;
        lastForceNanos = nowNanos;
    }

    /** Flushes, forces and closes; the journal stays unfinished unless a run-finished record was appended. */
    @Override
    public void close() throws IOException {
        try {
            background.finish();
            flush(lastForceNanos);
            if (unforced) {
                force(lastForceNanos);
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

    // ---------------------------------------------------------------- helpers

    /** Makes the new file's directory entry durable too (a no-op where directories cannot be opened). */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
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
