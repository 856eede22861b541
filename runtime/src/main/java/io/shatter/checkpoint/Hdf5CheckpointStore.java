package io.shatter.checkpoint;

import io.jhdf.HdfFile;
import io.shatter.files.PrivateFiles;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.exceptions.HdfException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps checkpoints as plain HDF5 files (written with jhdf) in a directory, one file per
 * checkpoint, so that they survive the loss of the broker and can be inspected with
 * {@code h5dump} or h5py.
 *
 * <p>Layout of a checkpoint file:
 * <pre>
 * /                                    attributes format = "shatter-checkpoint", format_version = 1
 * /shard/&lt;shard id&gt;/attempt/&lt;n&gt;         attributes graph_id, shard_id, attempt, step, time (ISO-8601 UTC)
 * /shard/&lt;shard id&gt;/attempt/&lt;n&gt;/state   1-D int8 dataset of the state bytes, attribute checksum_crc32c
 * </pre>
 * The group name is the shard id percent-encoded as in URLs, so that every HDF5 tool can name it
 * ({@code range[0, 100)/chunk 3} becomes {@code range%5B0%2C%20100%29%2Fchunk%203}); the
 * {@code shard_id} attribute holds the id verbatim.
 *
 * <p>File names are {@code <readable shard id>.<hash of graph and shard id>.<sequence>.h5}: the
 * readable part is for people only, the 128-bit hash keeps any shard id (slashes, brackets,
 * spaces, any length) safe as a file name, and the sequence number orders the saves of a shard.
 * A save writes {@code .<name>.tmp}, forces it to disk, renames it atomically and fsyncs the
 * directory, so a crash never leaves a partial file under a checkpoint's name. Once a save is
 * durable, all but the newest two checkpoints of the shard are deleted.
 *
 * <p>On load, a file that is not HDF5, is truncated, belongs to another graph or shard, lacks an
 * attribute, fails a checksum, or makes reading it fail in any other way (jhdf's own exceptions
 * included) is rejected with a WARN naming the file and the problem, renamed
 * to {@code <name>.rejected} (so that it is not read again nor counted as one of the two kept
 * checkpoints), and the previous checkpoint is used instead.
 *
 * <p>The store owns its directory: temporary files left by a crash are deleted when it opens.
 * Saves of different shards run in parallel; calls for the same shard are serialised.
 */
public final class Hdf5CheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(Hdf5CheckpointStore.class);

    /** Value of the root attribute {@code format}, which marks a file as ours. */
    static final String FORMAT = "shatter-checkpoint";
    /** Checked on read: a file of another version is rejected (its shard starts afresh), not misread. */
    static final int FORMAT_VERSION = 1;
    static final String STATE_DATASET = "state";

    private static final int KEPT_CHECKPOINTS_PER_SHARD = 2;
    private static final int READABLE_NAME_MAX_CHARS = 40;
    /** Room for the superblock, the headers and the attributes, on top of the state bytes. */
    private static final long METADATA_ALLOWANCE_BYTES = 64 * 1024;
    private static final String CHECKPOINT_SUFFIX = ".h5";
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final String REJECTED_SUFFIX = ".rejected";
    private static final Pattern TEMPORARY_FILE =
        Pattern.compile("\\.[A-Za-z0-9_-]{0,40}\\.[0-9a-f]{32}\\.[0-9]{19}\\.h5\\.tmp");
    private static final int LOCK_STRIPES = 64;
    private static final String HEX_DIGITS = "0123456789ABCDEF";

    /** Free bytes usable in a directory; replaceable so that a full disk can be simulated. */
    interface UsableSpace {
        long of(Path directory) throws IOException;
    }

    private final Path directory;
    private final Clock clock;
    private final UsableSpace usableSpace;
    private final Consumer<String> warnings;
    private final Object[] shardLocks = new Object[LOCK_STRIPES];
    private final AtomicLong bytesWritten = new AtomicLong();

    /**
     * Opens (creating it if needed) a checkpoint directory.
     *
     * @param directory where the checkpoint files live; created if missing
     * @throws IOException if the directory cannot be created or written to; the message names it
     */
    public Hdf5CheckpointStore(Path directory) throws IOException {
        this(directory, Clock.systemUTC(), dir -> Files.getFileStore(dir).getUsableSpace(), log::warn);
    }

    /**
     * For tests: {@code usableSpace} can simulate a full disk, {@code warnings} receives what would
     * be logged at WARN (slf4j-simple's output cannot be captured reliably).
     */
    Hdf5CheckpointStore(Path directory, Clock clock, UsableSpace usableSpace, Consumer<String> warnings) throws IOException {
        this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.usableSpace = Objects.requireNonNull(usableSpace, "usableSpace");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        for (int i = 0; i < LOCK_STRIPES; i++) {
            shardLocks[i] = new Object();
        }
        prepareDirectory();
        deleteTemporaryFilesLeftByACrash();
    }

    /** The directory holding the checkpoint files. */
    public Path directory() {
        return directory;
    }

    @Override
    public void save(String graphId, String shardId, int attempt, long step, byte[] state) throws IOException {
        requireNonEmpty(graphId, "graphId");
        requireNonEmpty(shardId, "shardId");
        Objects.requireNonNull(state, "state");
        if (attempt < 0 || step < 0) {
            throw new IllegalArgumentException("attempt and step must not be negative: attempt " + attempt + ", step " + step);
        }
        String prefix = filePrefix(graphId, shardId);
        synchronized (lockFor(prefix)) {
            long sequence = listFiles(prefix).stream().mapToLong(StoredFile::sequence).max().orElse(0) + 1;
            Path target = directory.resolve(prefix + String.format("%019d", sequence) + CHECKPOINT_SUFFIX);
            Path temporary = directory.resolve("." + target.getFileName() + TEMPORARY_SUFFIX);
            String what = "the checkpoint of shard '" + shardId + "' (attempt " + attempt + ", step " + step + ", "
                + state.length + " bytes)";
            requireSpaceFor(state.length, what);
            writeDurably(temporary, target, what, graphId, shardId, attempt, step, state);
            bytesWritten.addAndGet(Files.size(target));
            pruneOlderThanTheNewestTwo(prefix);
        }
    }

    @Override
    public Optional<Checkpoint> latest(String graphId, String shardId) throws IOException {
        requireNonEmpty(graphId, "graphId");
        requireNonEmpty(shardId, "shardId");
        String prefix = filePrefix(graphId, shardId);
        synchronized (lockFor(prefix)) {
            List<StoredFile> newestFirst = listFiles(prefix).stream()
                .filter(file -> !file.rejected())
                .sorted(Comparator.comparingLong(StoredFile::sequence).reversed())
                .toList();
            for (StoredFile file : newestFirst) {
                try {
                    return Optional.of(Hdf5CheckpointReader.read(file.path(), graphId, shardId));
                } catch (Hdf5CheckpointReader.RejectedCheckpointException e) {
                    warnings.accept("Rejected checkpoint file " + file.path() + " of shard '" + shardId + "': " + e.getMessage()
                        + ". " + moveAside(file.path()) + "; using the previous checkpoint, if any.");
                } catch (IOException e) {
                    // Whatever the cause, a file that cannot be read now would fail every retry the same way: set it aside
                    // (kept for inspection) so that the run goes on from the previous checkpoint or a fresh start.
                    warnings.accept("Could not read checkpoint file " + file.path() + " of shard '" + shardId + "' (" + e
                        + "). " + moveAside(file.path()) + "; using the previous checkpoint, if any.");
                }
            }
            return Optional.empty();
        }
    }

    /** Renames a rejected file so that it is neither read again nor counted among the kept checkpoints. */
    private static String moveAside(Path file) {
        Path aside = file.resolveSibling(file.getFileName() + REJECTED_SUFFIX);
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            return "Moved it to " + aside.getFileName();
        } catch (IOException e) {
            return "Could not move it aside (" + e + ")";
        }
    }

    /** One pass over the directory for all the shards, not one per shard. */
    @Override
    public void discardAll(String graphId, Collection<String> shardIds) throws IOException {
        requireNonEmpty(graphId, "graphId");
        Set<String> prefixes = new HashSet<>();
        for (String shardId : shardIds) {
            prefixes.add(filePrefix(graphId, shardId));
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String bare = name.startsWith(".") ? name.substring(1) : name; // temporary files start with a dot
                int hashEnd = bare.indexOf('.', bare.indexOf('.') + 1); // the readable part and the hash hold no dots
                String prefix = hashEnd > 0 ? bare.substring(0, hashEnd + 1) : null;
                if (prefix != null && prefixes.contains(prefix)) {
                    synchronized (lockFor(prefix)) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    @Override
    public void discard(String graphId, String shardId) throws IOException {
        requireNonEmpty(graphId, "graphId");
        requireNonEmpty(shardId, "shardId");
        String prefix = filePrefix(graphId, shardId);
        synchronized (lockFor(prefix)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(prefix) || name.startsWith("." + prefix)) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    @Override
    public long bytesWritten() {
        return bytesWritten.get();
    }

    // ---- writing ----

    private void writeDurably(Path temporary, Path target, String what, String graphId, String shardId,
                              int attempt, long step, byte[] state) throws IOException {
        boolean renamed = false;
        StreamedByteDataset dataset = null;
        try {
            // jhdf opens its file without truncating it: a stale temporary file would leave a tail.
            Files.deleteIfExists(temporary);
            PrivateFiles.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close(); // 0600 before a byte is in it
            try (WritableHdfFile file = HdfFile.write(temporary)) {
                file.putAttribute("format", FORMAT);
                file.putAttribute("format_version", FORMAT_VERSION);
                WritableGroup attemptGroup = file.putGroup("shard").putGroup(groupName(shardId))
                    .putGroup("attempt").putGroup(Integer.toString(attempt));
                attemptGroup.putAttribute("graph_id", graphId);
                attemptGroup.putAttribute("shard_id", shardId);
                attemptGroup.putAttribute("attempt", attempt);
                attemptGroup.putAttribute("step", step);
                attemptGroup.putAttribute("time", Instant.now(clock).toString());
                dataset = new StreamedByteDataset(attemptGroup, STATE_DATASET, state);
                attemptGroup.putDataset(STATE_DATASET, dataset);
            }
            // jhdf closes its channel without forcing it; fsync applies to the file, whichever descriptor.
            try (FileChannel written = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                written.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
        } catch (IOException | UncheckedIOException | HdfException e) {
            throw new IOException("Could not save " + what + " to " + temporary + ": " + reason(e)
                + ". The previous checkpoint is kept.", e);
        } finally {
            if (!renamed) {
                abandon(temporary, dataset);
            }
        }
        fsyncDirectory();
    }

    private void abandon(Path temporary, StreamedByteDataset dataset) {
        try {
            // jhdf leaves its channel open when its final flush fails.
            if (dataset != null && dataset.channel() != null) {
                dataset.channel().close();
            }
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            log.warn("Could not delete the temporary checkpoint file {}: {}", temporary, e.toString());
        }
    }

    private void requireSpaceFor(long stateBytes, String what) throws IOException {
        long needed = stateBytes + METADATA_ALLOWANCE_BYTES;
        long usable = usableSpace.of(directory);
        if (usable < needed) {
            throw new IOException("Could not save " + what + " to " + directory + ": the disk is full (" + usable
                + " bytes usable, about " + needed + " needed); free space there or choose another checkpoint directory."
                + " The previous checkpoint is kept.");
        }
    }

    /** The innermost cause's own words, with what to do when they mean a full disk or a size limit. */
    private static String reason(Throwable failure) {
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = String.valueOf(innermost.getMessage());
        if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
            return "the disk is full (" + message + "); free space there or choose another checkpoint directory";
        }
        if (message.contains("File too large")) {
            return "the file size limit was reached (" + message + "; see ulimit -f)";
        }
        return innermost.toString();
    }

    /** Makes the renames and deletions in the directory durable; not every platform can open a directory. */
    private void fsyncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("Cannot fsync directory {}: {}", directory, e.toString());
        }
    }

    private void pruneOlderThanTheNewestTwo(String prefix) throws IOException {
        List<StoredFile> newestFirst = listFiles(prefix).stream()
            .sorted(Comparator.comparingLong(StoredFile::sequence).reversed())
            .toList();
        int kept = 0;
        for (StoredFile file : newestFirst) {
            if (!file.rejected() && kept < KEPT_CHECKPOINTS_PER_SHARD) {
                kept++;
                continue;
            }
            try {
                Files.deleteIfExists(file.path());
            } catch (IOException e) {
                log.warn("Could not delete old checkpoint file {}: {}", file.path(), e.toString());
            }
        }
    }

    // ---- names and files ----

    private record StoredFile(Path path, long sequence, boolean rejected) {
    }

    private List<StoredFile> listFiles(String prefix) throws IOException {
        Pattern name = Pattern.compile(Pattern.quote(prefix) + "([0-9]{19})" + Pattern.quote(CHECKPOINT_SUFFIX)
            + "(" + Pattern.quote(REJECTED_SUFFIX) + ")?");
        List<StoredFile> files = new ArrayList<>();
        // The prefix holds only [A-Za-z0-9._-], so it is a literal glob.
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, prefix + "*")) {
            for (Path file : stream) {
                Matcher matcher = name.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    files.add(new StoredFile(file, Long.parseLong(matcher.group(1)), matcher.group(2) != null));
                }
            }
        }
        return files;
    }

    /** {@code <readable shard id>.<128-bit hash of graph and shard id>.}; the sequence number follows. */
    static String filePrefix(String graphId, String shardId) {
        StringBuilder readable = new StringBuilder();
        for (int i = 0; i < shardId.length() && readable.length() < READABLE_NAME_MAX_CHARS; i++) {
            char c = shardId.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            readable.append(safe ? c : '_');
        }
        return readable + "." + hash(graphId, shardId) + ".";
    }

    private static String hash(String graphId, String shardId) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // Length-prefixed so that no two (graph, shard) pairs share an input.
            sha256.update((graphId.length() + ":" + graphId).getBytes(StandardCharsets.UTF_8));
            sha256.update(shardId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The shard id as an HDF5 group name: percent-encoded UTF-8, as in URLs, for every character but
     * {@code A-Z a-z 0-9 - . _ ~}. HDF5 itself only forbids {@code /}, but tools are pickier
     * ({@code h5dump -d} reads {@code [} as the start of a selection), so the name stays plain.
     * "." and ".." are encoded whole because HDF5 paths give them a meaning.
     */
    static String groupName(String shardId) {
        boolean encodeAll = shardId.equals(".") || shardId.equals("..");
        StringBuilder name = new StringBuilder();
        for (byte b : shardId.getBytes(StandardCharsets.UTF_8)) {
            if (!encodeAll && isUnreserved(b)) {
                name.append((char) b);
            } else {
                name.append('%').append(HEX_DIGITS.charAt((b >> 4) & 0xf)).append(HEX_DIGITS.charAt(b & 0xf));
            }
        }
        return name.toString();
    }

    private static boolean isUnreserved(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
            || b == '-' || b == '.' || b == '_' || b == '~';
    }

    private Object lockFor(String prefix) {
        return shardLocks[Math.floorMod(prefix.hashCode(), LOCK_STRIPES)];
    }

    private static void requireNonEmpty(String id, String what) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
    }

    // ---- the directory ----

    private void prepareDirectory() throws IOException {
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new IOException("Cannot use checkpoint directory " + directory + ": "
                + (existing.equals(directory) ? "it" : existing.toString()) + " exists but is not a directory."
                + " Point the checkpoint directory to a directory you can write.");
        }
        try {
            PrivateFiles.createDirectories(directory);
        } catch (AccessDeniedException e) {
            throw new IOException("Cannot create checkpoint directory " + directory + ": permission denied on "
                + e.getFile() + ". Create it yourself or point the checkpoint directory to a directory you can write.", e);
        } catch (IOException e) {
            throw new IOException("Cannot create checkpoint directory " + directory + ": " + e
                + ". Point the checkpoint directory to a directory you can write.", e);
        }
        // Probing with a real file also catches read-only mounts, which permission bits (and root) do not show.
        Path probe = null;
        try {
            probe = Files.createTempFile(directory, ".shatter-write-probe", TEMPORARY_SUFFIX);
        } catch (IOException e) {
            throw new IOException("Cannot write to checkpoint directory " + directory + ": " + e
                + ". Make it writable (permissions, read-only mount) or point the checkpoint directory elsewhere.", e);
        } finally {
            if (probe != null) {
                Files.deleteIfExists(probe);
            }
        }
    }

    private void deleteTemporaryFilesLeftByACrash() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, ".*" + TEMPORARY_SUFFIX)) {
            for (Path file : files) {
                if (TEMPORARY_FILE.matcher(file.getFileName().toString()).matches()) {
                    log.info("Deleting {}, a checkpoint that was being written when a previous run stopped", file);
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
