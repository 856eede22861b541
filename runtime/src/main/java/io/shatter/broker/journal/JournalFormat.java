package io.shatter.broker.journal;

import io.shatter.broker.core.JournalRecord;
import io.shatter.protocol.ProtocolException;
import io.shatter.protocol.WireReader;
import io.shatter.protocol.WireWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The journal's bytes. {@value #FILE_NAME}: the magic {@code SHATJRNL}, the format version as a
 * 4-byte big-endian int, then records. Every record, the header record first, is framed as
 * {@code [payload length: int32][CRC32C of the length: int32][CRC32C of payload: int32][payload]},
 * the payload encoded with {@link WireWriter} (varints and length-prefixed bytes, never Java
 * serialization). The length's own checksum is what tells a torn last record (complete frame
 * fields, fewer payload bytes than the length says) from a damaged length, which would otherwise
 * look like a record running past the end of the file:
 * <pre>
 * header            graph name, graph fingerprint, run identity (the program's arguments), created at (epoch ms)
 * 1 shard committed shard index, output bytes, shared writes
 * 2 chunk committed shard index, block from, block to, the chunk's output (partial results of its blocks), shared writes
 *   shared writes:  count, then per write its key (string) and value (bytes), applied in order at the commit
 * 3 checkpoint      task name, attempt, step (informational: the checkpoint store stays the source of truth)
 * 4 run finished    shards committed
 * </pre>
 */
public final class JournalFormat {
    /** The journal's file name in the run directory. */
    public static final String FILE_NAME = "journal.bin";
    /** Where the journal of a finished run is moved when a new run starts in the same directory. */
    public static final String FINISHED_FILE_NAME = "journal-finished.bin";
    /** Bumped whenever the layout changes; a journal of another version is refused, not misread. */
    public static final int FORMAT_VERSION = 2; // 2: the length's checksum in every frame, shared writes in commit records

    static final byte[] MAGIC = "SHATJRNL".getBytes(StandardCharsets.US_ASCII);
    static final int PREAMBLE_BYTES = MAGIC.length + 4;
    static final int FRAME_BYTES = 12;

    static final int SHARD_COMMITTED = 1;
    static final int CHUNK_COMMITTED = 2;
    static final int CHECKPOINT = 3;
    static final int RUN_FINISHED = 4;


    private JournalFormat() {
    }

    /** What decides whether a journal belongs to this run. */
    record Header(String graphName, String fingerprint, String identity) {
    }

    static void encode(JournalRecord record, WireWriter payload) {
        if (record instanceof JournalRecord.ShardCommitted r) {
            payload.writeByte(SHARD_COMMITTED).writeVarInt(r.shard()).writeBytes(r.output());
            writeShared(r.sharedWrites(), payload);
        } else if (record instanceof JournalRecord.ChunkCommitted r) {
            payload.writeByte(CHUNK_COMMITTED).writeVarInt(r.shard()).writeVarInt(r.blockFrom()).writeVarInt(r.blockTo())
                    .writeBytes(r.output());
            writeShared(r.sharedWrites(), payload);
        } else if (record instanceof JournalRecord.CheckpointSaved r) {
            payload.writeByte(CHECKPOINT).writeString(r.task()).writeVarInt(r.attempt()).writeSignedVarLong(r.step());
        } else if (record instanceof JournalRecord.RunFinished r) {
            payload.writeByte(RUN_FINISHED).writeVarInt(r.shardsCommitted());
        }
    }

    /** The record a verified payload holds. */
    static JournalRecord decode(byte[] payload) {
        WireReader r = new WireReader(payload);
        int type = r.readByte();
        return switch (type) {
            case SHARD_COMMITTED -> new JournalRecord.ShardCommitted(r.readVarInt(), r.readBytes(), readShared(r));
            case CHUNK_COMMITTED -> new JournalRecord.ChunkCommitted(r.readVarInt(), r.readVarInt(), r.readVarInt(), r.readBytes(),
                    readShared(r));
            case CHECKPOINT -> new JournalRecord.CheckpointSaved(r.readString(), r.readVarInt(), r.readSignedVarLong());
            case RUN_FINISHED -> new JournalRecord.RunFinished(r.readVarInt());
            default -> throw new ProtocolException("unknown record type " + type);
        };
    }

    private static void writeShared(List<JournalRecord.SharedWrite> writes, WireWriter payload) {
        payload.writeVarInt(writes.size());
        for (JournalRecord.SharedWrite w : writes) {
            payload.writeString(w.key()).writeBytes(w.value());
        }
    }

    private static List<JournalRecord.SharedWrite> readShared(WireReader r) {
        int n = r.readCount(2); // a write is at least an empty key and an empty value
        List<JournalRecord.SharedWrite> writes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            writes.add(new JournalRecord.SharedWrite(r.readString(), r.readBytes()));
        }
        return List.copyOf(writes);
    }

    static void writeHeader(FileChannel channel, Header header) throws IOException {
        WireWriter w = new WireWriter(256);
        w.writeString(header.graphName()).writeString(header.fingerprint()).writeString(header.identity())
                .writeVarLong(System.currentTimeMillis());
        byte[] out = new byte[PREAMBLE_BYTES + FRAME_BYTES + w.size()];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        putInt(out, MAGIC.length, FORMAT_VERSION);
        w.copyTo(out, PREAMBLE_BYTES + FRAME_BYTES);
        putFrame(out, PREAMBLE_BYTES, w.size(), new CRC32C());
        channel.position(0);
        ByteBuffer bytes = ByteBuffer.wrap(out);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Writes the frame of the {@code length} payload bytes that follow it at {@code at + FRAME_BYTES}. */
    static void putFrame(byte[] target, int at, int length, CRC32C crc) {
        putInt(target, at, length);
        putInt(target, at + 4, lengthChecksum(length, crc));
        crc.reset();
        crc.update(target, at + FRAME_BYTES, length);
        putInt(target, at + 8, (int) crc.getValue());
    }

    /** The checksum a frame keeps of its length field. */
    static int lengthChecksum(int length, CRC32C crc) {
        crc.reset();
        crc.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        return (int) crc.getValue();
    }

    static int getInt(byte[] source, int at) {
        return ((source[at] & 0xFF) << 24) | ((source[at + 1] & 0xFF) << 16) | ((source[at + 2] & 0xFF) << 8) | (source[at + 3] & 0xFF);
    }

    static void putInt(byte[] target, int at, int value) {
        target[at] = (byte) (value >>> 24);
        target[at + 1] = (byte) (value >>> 16);
        target[at + 2] = (byte) (value >>> 8);
        target[at + 3] = (byte) value;
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? ": " + f.getFile() : "");
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

}
