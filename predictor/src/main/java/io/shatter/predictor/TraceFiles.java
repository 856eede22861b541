package io.shatter.predictor;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens trace files, plain or gzip-compressed (recognised by content, not by name). */
final class TraceFiles {
    private TraceFiles() {
    }

    /** Opens {@code file} for reading as text (ISO-8859-1: the formats are ASCII, any byte reads). */
    static BufferedReader open(Path file) {
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            in.mark(2);
            int b1 = in.read();
            int b2 = in.read();
            in.reset();
            if (b1 == 0x1f && b2 == 0x8b) {
                in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            }
            skipByteOrderMark(in);
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new PredictorException("Trace file " + file + " does not exist.");
        } catch (IOException e) {
            throw new PredictorException("Cannot read trace file " + file + ": " + e.getMessage() + ".", e);
        }
    }

    /** Skips a UTF-8 byte-order mark, which editors on some systems put before the first line. */
    private static void skipByteOrderMark(InputStream in) throws IOException {
        in.mark(3);
        if (in.read() != 0xEF || in.read() != 0xBB || in.read() != 0xBF) {
            in.reset();
        }
    }
}
