package io.shatter.predictor;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;

/** Loads a capacity series from either kind of trace, recognising the kind by content. */
public final class Traces {
    /** Trace kinds. */
    public enum Format {
        /** Recognise by content: a capacity history starts with its header line, anything else is SWF. */
        AUTO,
        /** Standard Workload Format job log. */
        SWF,
        /** Capacity-history CSV written by the Slurm capacity monitor. */
        CSV
    }

    private Traces() {
    }

    /**
     * Loads {@code file} as a series at {@code stepSeconds}.
     *
     * @param partition the partition of a capacity history (null: its only one); ignored for SWF
     * @param zone      the site's time zone for capacity histories (SWF logs carry their own)
     */
    public static CapacitySeries load(Path file, Format format, String partition, int stepSeconds, ZoneId zone,
                                      BadLinePolicy policy) {
        return load(file, format, partition, stepSeconds, zone, policy, false);
    }

    /**
     * As {@link #load(Path, Format, String, int, ZoneId, BadLinePolicy)}; with {@code assumeZeroWait}
     * an SWF log's unknown wait times are taken as 0 ({@link SwfLog#assumingZeroWait()}).
     */
    public static CapacitySeries load(Path file, Format format, String partition, int stepSeconds, ZoneId zone,
                                      BadLinePolicy policy, boolean assumeZeroWait) {
        if (stepSeconds <= 0) {
            throw new PredictorException("The step must be positive, not " + stepSeconds + " seconds.");
        }
        Format kind = format == Format.AUTO ? detect(file) : format;
        if (kind == Format.CSV) {
            return CapacityHistoryReader.read(file, partition, stepSeconds, zone, policy);
        }
        SwfLog log = SwfReader.read(file, policy);
        if (log.jobs().isEmpty()) {
            throw new PredictorException("Trace " + file + " has no job line: it is empty, or not a Standard Workload "
                    + "Format log (one job a line, 18 numbers) nor a capacity history (first line \""
                    + CapacityHistoryReader.HEADER + "\").");
        }
        return SwfCapacity.series(assumeZeroWait ? log.assumingZeroWait() : log, stepSeconds);
    }

    private static Format detect(Path file) {
        try (BufferedReader reader = TraceFiles.open(file)) {
            String first = reader.readLine();
            return first != null && first.strip().startsWith("epoch_seconds,") ? Format.CSV : Format.SWF;
        } catch (IOException e) {
            throw new PredictorException("Cannot read trace file " + file + ": " + e.getMessage() + ".", e);
        }
    }
}
