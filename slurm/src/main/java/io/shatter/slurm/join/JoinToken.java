package io.shatter.slurm.join;

import io.shatter.slurm.SlurmException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The per-run secret a worker presents to join: 32 random bytes as 64 hex digits, in a file only
 * its owner can read (0600), created so that it is never readable by others, not even briefly.
 */
public final class JoinToken {
    /** The file name inside the run directory. */
    public static final String FILE_NAME = "join.token";

    private final byte[] secret;

    private JoinToken(byte[] secret) {
        this.secret = secret;
    }

    /** A new random token written to {@code file} with owner-only permissions; an existing file is replaced. */
    public static JoinToken create(Path file) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] text = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            // Permissions are given at creation, so there is no moment when the file is readable by others.
            Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
            try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(ownerOnly))) {
                ch.write(java.nio.ByteBuffer.wrap(text));
                ch.force(true);
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new SlurmException("cannot create the join token: " + e.getFile() + " appeared meanwhile; is another broker using this run directory?", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new SlurmException("cannot write the join token " + file + ": " + e.getMessage()
                    + "; the run directory must be on a POSIX file system the user can write", e);
        }
        return new JoinToken(text);
    }

    /**
     * The token in {@code file}. Refuses a file others may read or write: the token would no longer be secret.
     */
    public static JoinToken read(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new SlurmException("the join token " + file + " is readable or writable by others ("
                            + PosixFilePermissions.toString(perms) + "); run 'chmod 600 " + file + "' and try again");
                }
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty() || text.length() > JoinProtocol.MAX_TOKEN_BYTES) {
                throw new SlurmException("the join token " + file + " is empty or too long; it must be the file the broker wrote");
            }
            return new JoinToken(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new SlurmException("cannot read the join token " + file + ": " + e.getMessage()
                    + "; pass the token file of the running broker (RUN_DIR/" + FILE_NAME + ")", e);
        }
    }

    /** A token from its text (tests). */
    public static JoinToken of(String text) {
        return new JoinToken(text.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] bytes() {
        return secret.clone();
    }

    /** Constant-time comparison, so the time to refuse says nothing about how much of a guess was right. */
    boolean matches(byte[] presented) {
        return MessageDigest.isEqual(secret, presented);
    }

    @Override
    public String toString() {
        return "JoinToken[hidden]"; // never log the secret
    }
}
