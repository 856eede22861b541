package io.shatter.predictor;

import java.time.ZoneId;
import java.util.List;

/**
 * A parsed Standard Workload Format log.
 *
 * @param source         file name, for messages
 * @param maxProcs       header {@code MaxProcs} (or {@code MaxNodes}, or the largest allocation seen, see {@code notes})
 * @param unixStartTime  header {@code UnixStartTime}, 0 when absent
 * @param zone           header {@code TimeZoneString} (or {@code TimeZone} offset), UTC when absent
 * @param jobs           data lines in file order
 * @param badLines       1-based numbers of the lines that were skipped as malformed
 * @param notes          what the reader had to assume, one sentence each, for the user
 */
public record SwfLog(String source, int maxProcs, long unixStartTime, ZoneId zone, List<SwfJob> jobs,
                     List<Long> badLines, List<String> notes) {
}
