package io.shatter.predictor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which trace file a model was trained on: its name, size and SHA-256, so that evaluating it on
 * another log can be caught (a model scored on the log it learnt from looks better than it is, and
 * one scored on a different site's log is not the model the numbers claim to be).
 *
 * @param name   the file's name (no directory)
 * @param bytes  its size
 * @param sha256 its SHA-256, lowercase hex
 */
public record TraceIdentity(String name, long bytes, String sha256) {
    /** The identity of {@code file}. */
    public static TraceIdentity of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            long size = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                size += n;
            }
            return new TraceIdentity(String.valueOf(file.getFileName()), size, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new PredictorException("Cannot read trace file " + file + ": " + e.getMessage() + ".", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java has SHA-256
        }
    }

    /** Whether {@code other} is the same file content. */
    public boolean sameContent(TraceIdentity other) {
        return bytes == other.bytes && sha256.equals(other.sha256);
    }

    /** For messages: name, size and the checksum's start. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s (%,d bytes, SHA-256 %s...)", name, bytes, sha256.substring(0, Math.min(12, sha256.length())));
    }
}
