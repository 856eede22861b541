package io.shatter.checkpoint;

import io.jhdf.AbstractWritableNode;
import io.jhdf.Constants;
import io.jhdf.HdfFile;
import io.jhdf.ObjectHeader;
import io.jhdf.api.Attribute;
import io.jhdf.api.Group;
import io.jhdf.api.NodeType;
import io.jhdf.api.WritableDataset;
import io.jhdf.exceptions.HdfWritingException;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.message.AttributeInfoMessage;
import io.jhdf.object.message.AttributeMessage;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage.ContiguousDataLayoutMessage;
import io.jhdf.object.message.DataSpace;
import io.jhdf.object.message.DataSpaceMessage;
import io.jhdf.object.message.DataTypeMessage;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.Message;
import io.jhdf.storage.HdfFileChannel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A contiguous 1-D int8 dataset that jhdf lays out like its own datasets, but whose bytes are
 * streamed straight from the caller's array, with their CRC32C computed on the way.
 *
 * <p>jhdf's inferred dataset ({@code putDataset(name, byte[])}) copies the whole array into a
 * heap buffer of the same size and writes it in one call, which makes the JDK copy it again into
 * a temporary direct buffer of the same size (cached per thread for good). This class is plugged
 * in through jhdf's documented extension point, {@code WritableGroup.putDataset(name,
 * WritableDataset)}, and writes the array in {@link #WRITE_CHUNK_BYTES} slices instead: no extra
 * heap, a bounded direct buffer, and each slice is checksummed while it is hot in the cache.
 *
 * <p>The object header is built from jhdf's own message classes, exactly as jhdf's
 * {@code WritableDatasetImpl} does, so the file stays plain HDF5.
 */
final class StreamedByteDataset extends AbstractWritableNode implements WritableDataset {

    /** Dataset attribute holding the CRC32C of the state bytes (an unsigned 32-bit value in an int64). */
    static final String CHECKSUM_ATTRIBUTE = "checksum_crc32c";

    /** Big enough to amortise system calls, small enough to stay in L2/L3 between checksum and copy. */
    static final int WRITE_CHUNK_BYTES = 1 << 20;

    private static final DataType INT8 = new FixedPoint(1);

    private final byte[] bytes;
    private final DataSpace dataSpace;
    /** The channel jhdf writes to, kept so that a failed write can release it (jhdf would not). */
    private FileChannel channel;

    StreamedByteDataset(Group parent, String name, byte[] bytes) {
        super(parent, name);
        this.bytes = bytes;
        // jhdf infers the dataspace fine from an empty array (its type inference would not).
        this.dataSpace = DataSpace.fromObject(bytes);
        // A placeholder of the same encoded size as the final value: the header's size has to be
        // known before the data, which follows it, is written.
        putAttribute(CHECKSUM_ATTRIBUTE, 0L);
    }

    /** The channel jhdf handed to {@link #write}, or null if jhdf never got that far. */
    FileChannel channel() {
        return channel;
    }

    @Override
    public long write(HdfFileChannel hdfFileChannel, long position) {
        channel = hdfFileChannel.getFileChannel();
        int headerSize = objectHeader(position, Constants.UNDEFINED_ADDRESS).toBuffer().limit();
        // HDF5 itself stores an empty contiguous dataset with an undefined address.
        long dataAddress = bytes.length == 0 ? Constants.UNDEFINED_ADDRESS : position + headerSize;
        try {
            long checksum = bytes.length == 0 ? new CRC32C().getValue() : writeBytes(channel, dataAddress);
            putAttribute(CHECKSUM_ATTRIBUTE, checksum);
            ByteBuffer header = objectHeader(position, dataAddress).toBuffer();
            if (header.limit() != headerSize) {
                throw new IllegalStateException("dataset header changed size from " + headerSize + " to " + header.limit());
            }
            writeFully(channel, header, position);
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new UncheckedIOException(e);
        }
        return position + headerSize + bytes.length;
    }

    private ObjectHeader.ObjectHeaderV2 objectHeader(long position, long dataAddress) {
        List<Message> messages = new ArrayList<>();
        messages.add(DataTypeMessage.create(INT8));
        messages.add(DataSpaceMessage.create(dataSpace));
        messages.add(FillValueMessage.NO_FILL);
        messages.add(ContiguousDataLayoutMessage.create(dataAddress, bytes.length));
        messages.add(AttributeInfoMessage.create());
        for (Map.Entry<String, Attribute> attribute : getAttributes().entrySet()) {
            messages.add(AttributeMessage.create(attribute.getKey(), attribute.getValue()));
        }
        return new ObjectHeader.ObjectHeaderV2(position, messages);
    }

    /** Writes the bytes at {@code address} and returns their CRC32C. */
    private long writeBytes(FileChannel out, long address) throws IOException {
        CRC32C checksum = new CRC32C();
        ByteBuffer slice = ByteBuffer.wrap(bytes);
        for (int offset = 0; offset < bytes.length; offset += WRITE_CHUNK_BYTES) {
            int length = Math.min(WRITE_CHUNK_BYTES, bytes.length - offset);
            checksum.update(bytes, offset, length);
            slice.limit(offset + length).position(offset);
            writeFully(out, slice, address + offset);
        }
        return checksum.getValue();
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }

    private static void closeQuietly(FileChannel out, IOException failure) {
        try {
            out.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public long getSize() {
        return bytes.length;
    }

    @Override
    public long getSizeInBytes() {
        return bytes.length;
    }

    @Override
    public long getStorageInBytes() {
        return bytes.length;
    }

    @Override
    public int[] getDimensions() {
        return dataSpace.getDimensions();
    }

    @Override
    public boolean isScalar() {
        return false;
    }

    @Override
    public boolean isEmpty() {
        return bytes.length == 0;
    }

    @Override
    public boolean isCompound() {
        return false;
    }

    @Override
    public boolean isVariableLength() {
        return false;
    }

    @Override
    public long[] getMaxSize() {
        return dataSpace.getMaxSizes();
    }

    @Override
    public DataLayout getDataLayout() {
        return DataLayout.CONTIGUOUS;
    }

    @Override
    public Object getData() {
        return bytes;
    }

    @Override
    public Object getDataFlat() {
        return bytes;
    }

    @Override
    public Object getData(long[] sliceOffset, int[] sliceDimensions) {
        throw new HdfWritingException("Slicing a writable dataset is not supported");
    }

    @Override
    public Class<?> getJavaType() {
        return byte.class;
    }

    @Override
    public DataType getDataType() {
        return INT8;
    }

    @Override
    public Object getFillValue() {
        return null;
    }

    @Override
    public List<PipelineFilterWithData> getFilters() {
        return List.of();
    }

    @Override
    public NodeType getType() {
        return NodeType.DATASET;
    }

    @Override
    public boolean isGroup() {
        return false;
    }

    @Override
    public File getFile() {
        return getParent().getFile();
    }

    @Override
    public Path getFileAsPath() {
        return getParent().getFileAsPath();
    }

    @Override
    public HdfFile getHdfFile() {
        return getParent().getHdfFile();
    }

    @Override
    public long getAddress() {
        throw new HdfWritingException("Address not known until written");
    }

    @Override
    public boolean isLink() {
        return false;
    }

    @Override
    public boolean isAttributeCreationOrderTracked() {
        return false;
    }
}
