package io.shatter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the files a run will write (summary, trace, report) before it starts: a run of an hour
 * must not end with "cannot write the summary". Creates missing parent directories, as the
 * writers would; writes nothing else.
 */
final class OutputFiles {
    private OutputFiles() {
    }

    /** Throws a {@link UserException} naming {@code option} and the path if {@code file} cannot be written. */
    static void checkWritable(String option, Path file) {
        if (file == null) {
            return;
        }
        Path absolute = file.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new UserException(option + " " + file + " is a directory; name a file, e.g. " + file.resolve(defaultName(option)));
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw new UserException(option + " " + file + " exists and is not writable; change its permissions or name another file");
        }
        Path parent = absolute.getParent();
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new UserException(option + " " + file + ": " + p + " is a file, not a directory; name a file in a directory");
            }
            if (Files.exists(p)) {
                break;
            }
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UserException(option + " " + file + ": cannot create the directory " + parent + " (" + e.getMessage()
                    + "); name a file in a directory you can write");
        }
        if (!Files.isWritable(parent)) {
            throw new UserException(option + " " + file + ": the directory " + parent + " is not writable; name a file in a directory you can write");
        }
    }

    private static String defaultName(String option) {
        return switch (option) {
            case "--summary-json" -> "summary.json";
            case "--trace" -> "trace.json";
            default -> "report.html";
        };
    }
}
