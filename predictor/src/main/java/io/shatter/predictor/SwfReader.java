package io.shatter.predictor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Standard Workload Format logs (Parallel Workloads Archive): header lines start with
 * {@code ;}, each data line is one job of 18 whitespace-separated numbers, {@code -1} meaning
 * unknown. Gzip files are read directly.
 *
 * <p>Format quirks handled: {@code MaxProcs} may be missing (then {@code MaxNodes}, then the largest
 * allocation seen); allocated processors may be {@code -1} (then requested processors); jobs that
 * never ran (unknown wait or run time, no processors) are kept in the log but ignored by capacity.
 */
public final class SwfReader {
    /** Fields per data line in the format. */
    public static final int FIELDS = 18;

    private SwfReader() {
    }

    /** Reads {@code file}, handling malformed lines as {@code policy} says. */
    public static SwfLog read(Path file, BadLinePolicy policy) {
        try (BufferedReader reader = TraceFiles.open(file)) {
            return parse(reader, file.getFileName().toString(), policy);
        } catch (IOException e) {
            throw new PredictorException("Cannot read trace file " + file + ": " + e.getMessage() + ".", e);
        } catch (UncheckedIOException e) {
            throw new PredictorException("Cannot read trace file " + file + ": " + e.getCause().getMessage()
                    + " (a truncated or corrupt gzip file?).", e);
        }
    }

    static SwfLog parse(BufferedReader reader, String source, BadLinePolicy policy) throws IOException {
        int maxProcs = -1;
        int maxNodes = -1;
        long unixStart = 0;
        ZoneId zone = null;
        ZoneId offsetZone = null;
        List<SwfJob> jobs = new ArrayList<>();
        List<Long> badLines = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long lineNumber = 0;
        String line;
        long[] fields = new long[FIELDS];
        while ((line = reader.readLine()) != null) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.charAt(0) == ';') {
                String header = trimmed.substring(1).strip();
                int colon = header.indexOf(':');
                if (colon > 0) {
                    String key = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    String value = header.substring(colon + 1).strip();
                    switch (key) {
                        case "maxprocs" -> maxProcs = (int) leadingLong(value);
                        case "maxnodes" -> maxNodes = (int) leadingLong(value);
                        case "unixstarttime" -> unixStart = Math.max(0, leadingLong(value));
                        case "timezonestring" -> zone = zoneOrNull(value);
                        case "timezone" -> {
                            long offset = leadingLong(value);
                            if (offset != -1 && Math.abs(offset) <= 18 * 3600) {
                                offsetZone = ZoneOffset.ofTotalSeconds((int) offset);
                            }
                        }
                        default -> { }
                    }
                }
                continue;
            }
            String problem = parseFields(trimmed, fields);
            if (problem != null) {
                if (policy == BadLinePolicy.STOP) {
                    throw new PredictorException("Line " + lineNumber + " of " + source + " is not a valid SWF job line: "
                            + problem + ". Fix or remove the line, or pass --on-bad-line skip to skip malformed lines.");
                }
                badLines.add(lineNumber);
                continue;
            }
            jobs.add(new SwfJob(fields[0], fields[1], fields[2], fields[3], (int) fields[4], (int) fields[7],
                    fields[8], (int) fields[10], (int) fields[11], lineNumber));
        }
        if (!badLines.isEmpty()) {
            notes.add("Skipped " + badLines.size() + " malformed line(s), first at line " + badLines.get(0) + ".");
        }
        if (maxProcs <= 0) {
            int largest = jobs.stream().filter(SwfJob::ran).mapToInt(SwfJob::procs).max().orElse(0);
            if (maxNodes > 0 && maxNodes >= largest) {
                maxProcs = maxNodes;
                notes.add("No MaxProcs in the header: capacity taken from MaxNodes (" + maxNodes + ").");
            } else {
                maxProcs = largest;
                notes.add("No usable MaxProcs/MaxNodes in the header: capacity taken as the largest allocation seen ("
                        + largest + ").");
            }
        }
        ZoneId chosen = zone != null ? zone : offsetZone != null ? offsetZone : ZoneOffset.UTC;
        return new SwfLog(source, maxProcs, unixStart, chosen, List.copyOf(jobs), List.copyOf(badLines), List.copyOf(notes));
    }

    /** Parses the 18 fields of a data line into {@code out}; returns what is wrong, or null. */
    private static String parseFields(String line, long[] out) {
        int n = 0;
        int i = 0;
        int len = line.length();
        while (i < len) {
            while (i < len && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i >= len) {
                break;
            }
            int start = i;
            while (i < len && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (n == FIELDS) {
                return "more than " + FIELDS + " fields";
            }
            String token = line.substring(start, i);
            long value = parseNumber(token);
            if (value == NOT_A_NUMBER) {
                return "field " + (n + 1) + " (\"" + abbreviate(token) + "\") is not a number";
            }
            out[n] = value;
            n++;
        }
        if (n != FIELDS) {
            return "expected " + FIELDS + " fields, found " + n;
        }
        if (out[1] < 0) {
            return "submit time (field 2) is negative";
        }
        return null;
    }

    private static final long NOT_A_NUMBER = Long.MIN_VALUE;

    /**
     * A field's value: an integer, or a decimal or exponent form such as {@code 3600.0} or
     * {@code 1.2e+03}, which some converted logs write (the values are whole seconds or counts).
     */
    private static long parseNumber(String token) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException notAnInteger) {
            try {
                double value = Double.parseDouble(token);
                return Double.isFinite(value) && token.chars().anyMatch(Character::isDigit) ? Math.round(value) : NOT_A_NUMBER;
            } catch (NumberFormatException notANumber) {
                return NOT_A_NUMBER;
            }
        }
    }

    private static String abbreviate(String token) {
        return token.length() > 20 ? token.substring(0, 20) + "..." : token;
    }

    private static long leadingLong(String value) {
        int end = 0;
        if (end < value.length() && (value.charAt(0) == '-' || value.charAt(0) == '+')) {
            end++;
        }
        while (end < value.length() && Character.isDigit(value.charAt(end))) {
            end++;
        }
        try {
            return Long.parseLong(value.substring(0, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ZoneId zoneOrNull(String value) {
        try {
            return ZoneId.of(value.strip());
        } catch (DateTimeException e) {
            return null;
        }
    }
}
