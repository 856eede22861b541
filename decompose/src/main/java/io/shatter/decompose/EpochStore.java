package io.shatter.decompose;

import io.shatter.RunDirectoryException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The values each finished epoch of a growing graph produced, one file per epoch
 * ({@code epoch-N.values}): magic {@code SHATEPCH}, format version, the epoch graph's fingerprint,
 * the values, and a CRC32C of all of it. Written to a temporary name, forced and renamed, so a file
 * is either whole or absent. A program run again after a kill reads them back instead of running
 * those epochs, so it awaits the same values and records the same calls; the epoch it was killed in
 * has no file yet and resumes from its own broker journal.
 */
final class EpochStore {
    private static final byte[] MAGIC = "SHATEPCH".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;

    private final Path directory;
    private final String graphName;

    EpochStore(Path directory, String graphName) {
        this.directory = directory;
        this.graphName = graphName;
    }

    private Path file(int epoch) {
        return directory.resolve("epoch-" + epoch + ".values");
    }

    /**
     * The saved values of {@code epoch}, if it finished before. A file made by another program (its
     * graph differs) is refused, as the broker refuses another graph's journal; a damaged one is
     * set aside and the epoch runs again.
     */
    Optional<List<byte[]>> load(int epoch, String fingerprint, int expectedValues) {
        Path file = file(epoch);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (bytes.length < MAGIC.length + 4 + 4) {
                throw new IllegalArgumentException("too short");
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
                throw new IllegalArgumentException("checksum mismatch");
            }
            byte[] magic = new byte[MAGIC.length];
            in.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC) || in.getInt() != FORMAT) {
                throw new IllegalArgumentException("not an epoch file of this format");
            }
            String saved = readString(in);
            if (!saved.equals(fingerprint)) {
                throw new RunDirectoryException(file + " holds epoch " + epoch + " of another program of '" + graphName
                        + "' (graph " + saved + ", this program records " + fingerprint + "); run the same program with the same "
                        + "arguments to resume it, or use another run directory");
            }
            int count = in.getInt();
            if (count != expectedValues) {
                throw new RunDirectoryException(file + " holds " + count + " values but epoch " + epoch + " makes " + expectedValues
                        + "; it was written by another program: use another run directory");
            }
            List<byte[]> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] v = new byte[in.getInt()];
                in.get(v);
                values.add(v);
            }
            return Optional.of(values);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            setAside(file, e.getMessage());
            return Optional.empty();
        }
    }

    private static void setAside(Path file, String why) {
        Path rejected = file.resolveSibling(file.getFileName() + ".rejected");
        System.err.println("shatter: " + file + " is damaged (" + why + "); set aside as " + rejected + ", the epoch runs again");
        try {
            Files.move(file, rejected, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set aside " + file, e);
        }
    }

    void save(int epoch, String fingerprint, List<byte[]> values) {
        byte[] fp = fingerprint.getBytes(StandardCharsets.UTF_8);
        long size = MAGIC.length + 4 + 4 + fp.length + 4 + 4;
        for (byte[] v : values) {
            size += 4 + v.length;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException("epoch " + epoch + " of '" + graphName + "' produced " + size + " bytes, more than one epoch file holds (2 GiB)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.put(MAGIC).putInt(FORMAT).putInt(fp.length).put(fp).putInt(values.size());
        for (byte[] v : values) {
            out.putInt(v.length).put(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        Path file = file(epoch);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.flip();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save epoch " + epoch + " of '" + graphName + "' to " + file, e);
        }
    }

    private static String readString(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
