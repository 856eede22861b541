package io.shatter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shatter.CapacityClass;
import io.shatter.RunSummary;
import io.shatter.TraceEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Writes the run summary JSON and the Chrome trace event JSON (Jackson). */
final class RunReports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunReports() {
    }

    /** The summary as the JSON object documented in the README (snake_case keys). */
    static Map<String, Object> summaryJson(RunSummary s, Boolean verified, String error) {
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

    static void writeSummary(Path file, RunSummary summary, Boolean verified, String error) throws IOException {
        createParent(file);
        JSON.writeValue(file.toFile(), summaryJson(summary, verified, error));
    }

    /**
     * Chrome trace event JSON: one process per capacity class and one thread (track) per rank, so
     * Perfetto groups and colours the tracks by class; one complete event ("X") per attempt.
     */
    static void writeTrace(Path file, List<TraceEvent> events) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        TreeSet<String> named = new TreeSet<>();
        for (TraceEvent e : events) {
            int pid = e.capacityClass().ordinal() + 1;
            if (named.add("p" + pid)) {
                out.add(Map.of("ph", "M", "name", "process_name", "pid", pid, "tid", 0,
                        "args", Map.of("name", e.capacityClass().name().toLowerCase(Locale.ROOT) + " capacity")));
            }
            if (named.add("t" + e.rank())) {
                out.add(Map.of("ph", "M", "name", "thread_name", "pid", pid, "tid", e.rank(),
                        "args", Map.of("name", "rank " + e.rank())));
            }
            Map<String, Object> slice = new LinkedHashMap<>();
            slice.put("name", e.name() + " [" + e.priority() + "]");
            slice.put("cat", e.capacityClass().name().toLowerCase(Locale.ROOT));
            slice.put("ph", "X");
            slice.put("ts", e.startNanos() / 1000.0);
            slice.put("dur", Math.max(0.001, e.durationNanos() / 1000.0));
            slice.put("pid", pid);
            slice.put("tid", e.rank());
            slice.put("cname", colour(e.capacityClass()));
            slice.put("args", Map.of("attempt", e.attempt(), "outcome", e.outcome(), "priority", e.priority().name()));
            out.add(slice);
        }
        createParent(file);
        JSON.writeValue(file.toFile(), Map.of("traceEvents", out, "displayTimeUnit", "ms"));
    }

    private static String colour(CapacityClass c) {
        return switch (c) {
            case RESERVED -> "thread_state_running";
            case EXCESS -> "yellow";
            case SPARE -> "grey";
        };
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
