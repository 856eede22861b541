package io.shatter.predictor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Reads the capacity-history files the Slurm capacity monitor writes (format documented in
 * {@code predictor/README.md}): CSV, first line exactly {@value #HEADER}, then one sample a line,
 * in time order; lines starting with {@code #} are comments. Samples are resampled onto a fixed
 * step by carrying the last sample forward, so a monitor may sample at any pace.
 */
public final class CapacityHistoryReader {
    /** The required header line. */
    public static final String HEADER = "epoch_seconds,partition,total_cores,idle_cores,pending_cores";

    /** A gap longer than this between samples is reported in the series' notes. */
    private static final long LONG_GAP_SECONDS = 3600;

    private CapacityHistoryReader() {
    }

    /**
     * Reads the samples of {@code partition} (null: the file's only partition) and resamples them
     * every {@code stepSeconds}; {@code zone} is the site's local time zone.
     */
    public static CapacitySeries read(Path file, String partition, int stepSeconds, ZoneId zone, BadLinePolicy policy) {
        String source = file.getFileName().toString();
        List<long[]> samples = new ArrayList<>();
        TreeSet<String> partitions = new TreeSet<>();
        List<Long> badLines = new ArrayList<>();
        try (BufferedReader reader = TraceFiles.open(file)) {
            String header = reader.readLine();
            if (header == null || !header.strip().equals(HEADER)) {
                throw new PredictorException("File " + source + " is not a capacity history: its first line must be \""
                        + HEADER + "\" but is \"" + (header == null ? "" : abbreviate(header.strip())) + "\".");
            }
            String line;
            long lineNumber = 1;
            long lastEpoch = Long.MIN_VALUE;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] parts = trimmed.split(",", -1);
                String problem = null;
                long[] values = new long[4];
                if (parts.length != 5) {
                    problem = "expected 5 comma-separated fields, found " + parts.length;
                } else {
                    try {
                        values[0] = Long.parseLong(parts[0].strip());
                        values[1] = Long.parseLong(parts[2].strip());
                        values[2] = Long.parseLong(parts[3].strip());
                        values[3] = Long.parseLong(parts[4].strip());
                        if (values[1] < 0 || values[2] < 0 || values[3] < 0) {
                            problem = "core counts must not be negative";
                        } else if (values[2] > values[1]) {
                            problem = "idle_cores (" + values[2] + ") exceeds total_cores (" + values[1] + ")";
                        }
                    } catch (NumberFormatException e) {
                        problem = "epoch_seconds, total_cores, idle_cores and pending_cores must be integers";
                    }
                }
                String name = problem == null ? parts[1].strip() : null;
                if (problem == null && (partition == null || partition.equals(name))) {
                    if (values[0] < lastEpoch) {
                        problem = "sample time " + values[0] + " is earlier than the previous sample's " + lastEpoch
                                + " (samples must be in time order)";
                    }
                }
                if (problem != null) {
                    if (policy == BadLinePolicy.STOP) {
                        throw new PredictorException("Line " + lineNumber + " of " + source + " is not a valid capacity sample: "
                                + problem + ". Fix or remove the line, or pass --on-bad-line skip to skip malformed lines.");
                    }
                    badLines.add(lineNumber);
                    continue;
                }
                partitions.add(name);
                if (partition == null || partition.equals(name)) {
                    samples.add(values);
                    lastEpoch = values[0];
                }
            }
        } catch (IOException e) {
            throw new PredictorException("Cannot read capacity history " + source + ": " + e.getMessage() + ".", e);
        }
        if (partition == null && partitions.size() > 1) {
            throw new PredictorException("Capacity history " + source + " holds several partitions " + partitions
                    + ": choose one with --partition.");
        }
        if (samples.isEmpty()) {
            throw new PredictorException("Capacity history " + source + " has no sample"
                    + (partition == null ? "" : " for partition \"" + partition + "\"" + (partitions.isEmpty() ? "" : " (it has " + partitions + ")"))
                    + ".");
        }
        String chosen = partition != null ? partition : partitions.first();
        return resample(source, chosen, samples, stepSeconds, zone, badLines);
    }

    private static CapacitySeries resample(String source, String partition, List<long[]> samples, int step, ZoneId zone,
                                           List<Long> badLines) {
        long first = Math.floorDiv(samples.get(0)[0], step) * step;
        long last = samples.get(samples.size() - 1)[0];
        int n = (int) ((last - first + step - 1) / step + 1); // the last step at or after the last sample
        int total = (int) samples.stream().mapToLong(s -> s[1]).max().orElseThrow();
        int[] idle = new int[n];
        int[] pending = new int[n];
        int next = 0;
        long[] current = samples.get(0);
        int longGaps = 0;
        for (int k = 0; k < n; k++) {
            long t = first + (long) k * step;
            while (next < samples.size() && samples.get(next)[0] <= t) {
                if (next > 0 && samples.get(next)[0] - samples.get(next - 1)[0] > LONG_GAP_SECONDS) {
                    longGaps++;
                }
                current = samples.get(next++);
            }
            idle[k] = (int) Math.min(total, current[2]);
            pending[k] = (int) Math.min(Integer.MAX_VALUE, current[3]);
        }
        List<String> notes = new ArrayList<>();
        if (!badLines.isEmpty()) {
            notes.add("Skipped " + badLines.size() + " malformed line(s), first at line " + badLines.get(0) + ".");
        }
        if (longGaps > 0) {
            notes.add(String.format(Locale.ROOT, "%d gap(s) longer than %d minutes between samples: the last sample was carried over them.",
                    longGaps, LONG_GAP_SECONDS / 60));
        }
        return new CapacitySeries(source, partition, first, step, total, zone, idle, pending, null, 0, notes);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
