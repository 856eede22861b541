package io.shatter.slurm.join;

import io.shatter.files.PrivateFiles;
import io.shatter.slurm.SlurmException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The per-run secret a worker presents to join: 32 random bytes as 64 hex digits, in a file only
 * its owner can read (0600), created so that it is never readable by others, not even briefly.
 */
public final class JoinToken {
    /** The file name inside the run directory. */
    public static final String FILE_NAME = "join.token";

    private static final int MAX_TOKEN_FILE_BYTES = 4096;

    private final byte[] secret;

    private JoinToken(byte[] secret) {
        this.secret = secret;
    }

    /** A new random token written to {@code file} with owner-only permissions; an existing file is replaced. */
    public static JoinToken create(Path file) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] text = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
        writePrivate(file, text, "the join token");
        return new JoinToken(text);
    }

    /**
     * The token in {@code file}. Refuses a file others may read or write: the token would no longer be secret.
     */
    public static JoinToken read(Path file) {
        String text = readPrivate(file, "the join token", MAX_TOKEN_FILE_BYTES);
        if (text.isEmpty() || text.length() > JoinProtocol.MAX_TOKEN_BYTES) {
            throw new SlurmException("the join token " + file + " is empty or too long; it must be the file the broker wrote");
        }
        return new JoinToken(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes a secret of the run directory (token, fingerprint) 0600, atomically. */
    static void writePrivate(Path file, byte[] bytes, String what) {
        try {
            PrivateFiles.writeAtomically(file, bytes);
        } catch (IOException | UnsupportedOperationException e) {
            throw new SlurmException("cannot write " + what + " " + file + ": " + e.getMessage()
                    + "; the run directory must be on a POSIX file system the user can write", e);
        }
    }

    /** Reads a small owner-only file of the run directory, refusing one that others may read or write. */
    static String readPrivate(Path file, String what, int maxBytes) {
        try {
            if (PrivateFiles.sharedWithOthers(file)) {
                throw new SlurmException(what + " " + file + " is readable or writable by others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                        + "); run 'chmod 600 " + file + "' and try again");
            }
            if (Files.size(file) > maxBytes) {
                throw new SlurmException(what + " " + file + " is longer than " + maxBytes + " bytes; it must be the file the broker wrote");
            }
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new SlurmException("cannot read " + what + " " + file + ": " + e.getMessage()
                    + "; pass the file of the running broker (in its run directory)", e);
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
