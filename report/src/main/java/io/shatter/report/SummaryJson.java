package io.shatter.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shatter.RunSummary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The run summary as the JSON object the README documents (snake_case keys). */
public final class SummaryJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    /**
     * The summary's fields.
     *
     * @param verified whether the result was checked and equal (null: not checked)
     * @param error    why the run failed, or null
     */
    public static Map<String, Object> fields(RunSummary s, Boolean verified, String error) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("graph", s.graph());
        out.put("makespan_s", s.makespanSeconds());
        out.put("shards_total", s.shardsTotal());
        out.put("shards_completed", s.shardsCompleted());
        out.put("attempts", s.attemptsStarted());
        out.put("preemptions", s.preemptions());
        out.put("revocations", s.revocations());
        out.put("lost_attempts", s.lostAttempts());
        out.put("lost_work_s", s.lostWorkSeconds());
        out.put("retries", s.retries());
        out.put("stale_results_dropped", s.staleResultsDropped());
        out.put("checkpoints_saved", s.checkpointsSaved());
        out.put("checkpoint_bytes", s.checkpointBytes());
        out.put("checkpoint_restores", s.checkpointRestores());
        out.put("resumed_from_journal", s.resumedFromJournal());
        out.put("journal_records_dropped", s.journalRecordsDropped());
        out.put("preemption_latency_max_s", s.preemptionLatencyMaxSeconds());
        out.put("shadow_attempts", s.shadowAttempts());
        out.put("shadow_wins", s.shadowWins());
        out.put("capacity_samples", s.capacitySamples());
        out.put("placements_held_by_forecast", s.placementsHeldByForecast());
        Map<String, Object> busy = new LinkedHashMap<>();
        s.busyFraction().forEach((c, f) -> busy.put(c.name().toLowerCase(Locale.ROOT), f));
        out.put("busy_fraction", busy);
        Map<String, Object> byRank = new LinkedHashMap<>();
        s.shardsByRank().forEach((r, n) -> byRank.put(String.valueOf(r), n));
        out.put("shards_by_rank", byRank);
        out.put("broker_ns_per_shard", s.brokerNanosPerShard());
        out.put("verified", verified);
        out.put("failed_shard", s.failedShard());
        out.put("error", error);
        return out;
    }

    /** Writes the summary to {@code file}. */
    public static void write(Path file, RunSummary summary, Boolean verified, String error) throws IOException {
        Map<String, Object> fields = fields(summary, verified, error);
        OutputFile.write(file, out -> JSON.writeValue(out, fields));
    }
}
