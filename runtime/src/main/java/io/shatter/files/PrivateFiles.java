package io.shatter.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates directories readable by their owner only (0700) and files readable and writable by their
 * owner only (0600). The permissions are given at creation, not set afterwards, so another user can
 * never open a half-made file. On a file system without POSIX permissions the defaults apply.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {
    }

    /** The attribute that creates a file 0600, for {@code Files.newByteChannel} and similar; none without POSIX. */
    public static FileAttribute<?>[] fileAttributes() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    /**
     * Creates {@code dir} and its missing parents; those it creates are 0700. An existing directory
     * is left as it is (the user may have chosen to share it), except that it is returned.
     */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.exists(parent)) {
            createDirectories(parent);
        }
        try {
            if (POSIX) {
                Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIR));
            } else {
                Files.createDirectory(absolute);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
        return dir;
    }

    /** Opens {@code file} for writing with {@code options}; a file it creates is 0600. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), fileAttributes());
    }

    /**
     * Writes {@code bytes} to {@code file} through a fresh 0600 temporary file beside it, forced to
     * disk and then renamed over {@code file}: readers see the old content or the new, never a part.
     */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path absolute = file.toAbsolutePath();
        createDirectories(absolute.getParent());
        Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel ch = open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes an existing file or directory owner-only (0600 or 0700); a no-op without POSIX. */
    public static void restrict(Path path) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(path, Files.isDirectory(path) ? DIR : FILE);
        }
    }

    /** Whether others (group or world) may read or write {@code file}. */
    public static boolean sharedWithOthers(Path file) throws IOException {
        if (!POSIX) {
            return false;
        }
        for (PosixFilePermission p : Files.getPosixFilePermissions(file)) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                return true;
            }
        }
        return false;
    }
}
