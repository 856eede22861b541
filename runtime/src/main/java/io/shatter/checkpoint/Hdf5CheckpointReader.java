package io.shatter.checkpoint;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.FixedPoint;
import io.shatter.checkpoint.CheckpointStore.Checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static io.shatter.checkpoint.Hdf5CheckpointStore.FORMAT;
import static io.shatter.checkpoint.Hdf5CheckpointStore.FORMAT_VERSION;
import static io.shatter.checkpoint.Hdf5CheckpointStore.STATE_DATASET;

/**
 * Reads one checkpoint file of {@link Hdf5CheckpointStore}, trusting nothing in it: every check
 * that fails, and every exception jhdf raises on a damaged file, becomes a
 * {@link RejectedCheckpointException} naming the problem, so the store sets the file aside.
 */
final class Hdf5CheckpointReader {
    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** Superblock versions 2 and 3 are 48 bytes long and hold the end-of-file address at offset 28. */
    private static final int SUPERBLOCK_V2_BYTES = 48;
    private static final int SUPERBLOCK_V2_END_OF_FILE_OFFSET = 28;

    private Hdf5CheckpointReader() {
    }

    static Checkpoint read(Path file, String graphId, String shardId) throws IOException, RejectedCheckpointException {
        long fileSize = checkSignatureAndLength(file);
        try (HdfFile hdf = new HdfFile(file)) {
            Attribute format = hdf.getAttribute("format");
            if (format == null || !FORMAT.equals(format.getData())) {
                throw new RejectedCheckpointException("it is HDF5 but not a Shatter checkpoint (root attribute 'format' is "
                    + (format == null ? "missing" : "'" + format.getData() + "'") + ", expected '" + FORMAT + "')");
            }
            long version = numberAttribute(hdf, "format_version");
            if (version != FORMAT_VERSION) {
                throw new RejectedCheckpointException("it has checkpoint format version " + version + ", this Shatter reads "
                    + FORMAT_VERSION);
            }
            Group attemptGroup = onlyChildGroup(onlyChildGroup(hdf, "shard"), "attempt");
            String fileGraphId = stringAttribute(attemptGroup, "graph_id");
            if (!graphId.equals(fileGraphId)) {
                throw new RejectedCheckpointException("it belongs to graph '" + fileGraphId + "', not to graph '" + graphId + "'");
            }
            String fileShardId = stringAttribute(attemptGroup, "shard_id");
            if (!shardId.equals(fileShardId)) {
                throw new RejectedCheckpointException("it belongs to shard '" + fileShardId + "', not to shard '" + shardId + "'");
            }
            int attempt = Math.toIntExact(numberAttribute(attemptGroup, "attempt"));
            long step = numberAttribute(attemptGroup, "step");
            stringAttribute(attemptGroup, "time");
            Node stateNode = attemptGroup.getChild(STATE_DATASET);
            if (!(stateNode instanceof Dataset stateDataset)) {
                throw new RejectedCheckpointException("dataset " + childPath(attemptGroup, STATE_DATASET) + " is missing");
            }
            if (!(stateDataset.getDataType() instanceof FixedPoint type) || type.getSize() != 1
                || stateDataset.getDimensions().length != 1) {
                throw new RejectedCheckpointException("dataset " + pathOf(stateDataset) + " is not a 1-D array of bytes");
            }
            long recordedChecksum = numberAttribute(stateDataset, StreamedByteDataset.CHECKSUM_ATTRIBUTE);
            if (stateDataset.getSize() > fileSize) {
                // Checked before jhdf allocates an array of the claimed size.
                throw new RejectedCheckpointException("dataset " + pathOf(stateDataset) + " claims " + stateDataset.getSize()
                    + " bytes, more than the file's " + fileSize);
            }
            byte[] state = stateDataset.getSize() == 0 ? new byte[0] : (byte[]) stateDataset.getData();
            CRC32C checksum = new CRC32C();
            checksum.update(state);
            if (checksum.getValue() != recordedChecksum) {
                throw new RejectedCheckpointException(String.format(
                    "checksum mismatch, the state bytes are corrupt (CRC32C of the %d bytes is %08x, the file records %08x)",
                    state.length, checksum.getValue(), recordedChecksum));
            }
            return new Checkpoint(shardId, attempt, step, state);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // jhdf reports damage as any runtime exception (IllegalArgumentException, BufferUnderflowException, ...),
            // and a damaged size or a cycle of addresses may ask it for an impossible array or recursion: all mean corrupt.
            throw new RejectedCheckpointException("it is not a readable checkpoint (" + e + ")");
        }
    }

    /** Catches non-HDF5 and truncated files before jhdf, whose errors would be less clear. */
    private static long checkSignatureAndLength(Path file) throws IOException, RejectedCheckpointException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer superblock = ByteBuffer.allocate(SUPERBLOCK_V2_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (superblock.hasRemaining() && channel.read(superblock, superblock.position()) > 0) {
                // read until full or end of file
            }
            byte[] signature = new byte[HDF5_SIGNATURE.length];
            superblock.flip();
            if (superblock.remaining() < HDF5_SIGNATURE.length) {
                throw new RejectedCheckpointException("it is not an HDF5 file (only " + size + " bytes long)");
            }
            superblock.get(signature);
            if (!Arrays.equals(signature, HDF5_SIGNATURE)) {
                throw new RejectedCheckpointException("it is not an HDF5 file (no HDF5 signature at its start)");
            }
            if (superblock.limit() < SUPERBLOCK_V2_BYTES) {
                throw new RejectedCheckpointException("it is truncated (" + size + " bytes, shorter than an HDF5 superblock)");
            }
            int version = superblock.get(HDF5_SIGNATURE.length);
            if (version != 2 && version != 3) {
                throw new RejectedCheckpointException("it has HDF5 superblock version " + version + ", not the 2 or 3 this store writes");
            }
            long endOfFile = superblock.getLong(SUPERBLOCK_V2_END_OF_FILE_OFFSET);
            if (size < endOfFile) {
                throw new RejectedCheckpointException("it is truncated (" + size + " bytes on disk, its HDF5 superblock says "
                    + endOfFile + ")");
            }
            return size;
        }
    }

    private static Group onlyChildGroup(Group parent, String name) throws RejectedCheckpointException {
        Node node = parent.getChild(name);
        if (!(node instanceof Group group)) {
            throw new RejectedCheckpointException("group " + childPath(parent, name) + " is missing");
        }
        if (group.getChildren().size() != 1 || !(group.getChildren().values().iterator().next() instanceof Group only)) {
            throw new RejectedCheckpointException("group " + pathOf(group) + " should hold exactly one group, it holds "
                + group.getChildren().keySet());
        }
        return only;
    }

    private static String childPath(Group parent, String name) {
        String path = pathOf(parent);
        return path.equals("/") ? path + name : path + "/" + name;
    }

    /** jhdf ends group paths with a slash; messages read better without it. */
    private static String pathOf(Node node) {
        String path = node.getPath();
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static String stringAttribute(Node node, String name) throws RejectedCheckpointException {
        Object value = attributeValue(node, name);
        if (!(value instanceof String text)) {
            throw new RejectedCheckpointException("attribute '" + name + "' of " + pathOf(node) + " is not a string");
        }
        return text;
    }

    private static long numberAttribute(Node node, String name) throws RejectedCheckpointException {
        Object value = attributeValue(node, name);
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new RejectedCheckpointException("attribute '" + name + "' of " + pathOf(node) + " is not an integer");
        }
        return ((Number) value).longValue();
    }

    private static Object attributeValue(Node node, String name) throws RejectedCheckpointException {
        Attribute attribute = node.getAttribute(name);
        if (attribute == null) {
            throw new RejectedCheckpointException("attribute '" + name + "' of " + pathOf(node) + " is missing");
        }
        return attribute.getData();
    }

    /** Why a file holds no usable checkpoint; only for problems proven by its content. */
    static final class RejectedCheckpointException extends Exception {
        RejectedCheckpointException(String message) {
            super(message, null, false, false);
        }
    }
}
