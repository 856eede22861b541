package io.shatter.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.shatter.CapacityClass;
import io.shatter.observe.CounterSample;
import io.shatter.observe.Mark;
import io.shatter.observe.Outcome;
import io.shatter.observe.RunTimeline;
import io.shatter.observe.Slice;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The timeline as Chrome trace event JSON, drawn by Perfetto as it is:
 * <ul>
 * <li>a process per rank ({@code rank 3 (excess)}), ordered reserved, excess, spare; a thread
 *     (track) per core lane ({@code core 0}) and, for attempts the worker never reported (lost,
 *     cancelled), tracks {@code unreported 1, 2...}; on every track slices do not overlap;</li>
 * <li>a complete event ({@code X}) per attempt, named {@code shard [PRIORITY]}, with args
 *     {@code attempt}, {@code outcome} (completed, failed, preempted, lost, cancelled) and
 *     {@code stamped} (whether the times come from the worker's clock);</li>
 * <li>flows: the attempts of one shard, when one was preempted, lost or failed, are chained by a
 *     {@code bind_id} with {@code flow_out} on the earlier and {@code flow_in} on the later;</li>
 * <li>process-scoped instants ({@code i}) for revocations, preemption requests, losses, joins and
 *     leaves, args {@code detail};</li>
 * <li>counters ({@code C}) on process 0 ({@code broker}): {@code cores} and {@code busy cores} per
 *     capacity class, {@code ready shards}.</li>
 * </ul>
 * Times are microseconds with nanosecond decimals, from the run's start. The top-level
 * {@code metadata} says how many slice starts had to be moved to keep tracks free of overlaps
 * ({@code shatter_adjusted_slices}, 0 when the worker clocks mapped well).
 */
public final class ChromeTrace {
    private static final JsonFactory JSON = new JsonFactory();
    /** Thread ids of unreported tracks start here, after any real lane. */
    static final int UNREPORTED_TID_BASE = 100_000;

    private ChromeTrace() {
    }

    /** Writes {@code timeline} to {@code file}. */
    public static void write(Path file, RunTimeline timeline) throws IOException {
        OutputFile.write(file, out -> write(out, timeline));
    }

    /** Writes {@code timeline} to {@code out} (not closed). */
    public static void write(OutputStream out, RunTimeline timeline) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeObjectFieldStart("metadata");
            // How many slice starts had to be moved to keep a track free of overlaps (0 when the clocks mapped well).
            g.writeNumberField("shatter_adjusted_slices", timeline.adjustedSlices());
            g.writeEndObject();
            g.writeArrayFieldStart("traceEvents");
            metadata(g, timeline);
            Map<Slice, String> flowIds = flows(timeline.slices());
            for (Slice s : timeline.slices()) {
                slice(g, s, flowIds);
            }
            for (Mark m : timeline.marks()) {
                g.writeStartObject();
                g.writeStringField("ph", "i");
                g.writeStringField("s", "p");
                g.writeStringField("name", m.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
                g.writeNumberField("pid", m.rank());
                g.writeNumberField("tid", 0);
                g.writeFieldName("ts");
                g.writeNumber(micros(m.atNanos()));
                g.writeObjectFieldStart("args");
                g.writeStringField("detail", m.detail());
                g.writeEndObject();
                g.writeEndObject();
            }
            counters(g, timeline.counters());
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** Nanoseconds as microseconds with three exact decimals (no binary rounding, no exponent). */
    static String micros(long nanos) {
        long n = Math.max(0, nanos);
        return String.format(Locale.ROOT, "%d.%03d", n / 1000, n % 1000);
    }

    static int tid(Slice s) {
        return s.lane() >= 0 ? s.lane() + 1 : UNREPORTED_TID_BASE - s.lane() - 1;
    }

    private static void metadata(JsonGenerator g, RunTimeline timeline) throws IOException {
        meta(g, "process_name", 0, 0, "name", "broker");
        meta(g, "process_sort_index", 0, 0, "sort_index", -1);
        Map<Integer, CapacityClass> ranks = new TreeMap<>();
        Map<Long, Slice> tracks = new TreeMap<>();
        for (Slice s : timeline.slices()) {
            ranks.putIfAbsent(s.rank(), s.capacityClass());
            tracks.putIfAbsent(((long) s.rank() << 32) | tid(s), s);
        }
        // A rank revoked before it ran anything has marks but no slice; only excess capacity is revoked.
        for (Mark m : timeline.marks()) {
            if (m.kind() == Mark.Kind.REVOKED) {
                ranks.putIfAbsent(m.rank(), CapacityClass.EXCESS);
            }
        }
        for (var e : ranks.entrySet()) {
            meta(g, "process_name", e.getKey(), 0, "name", "rank " + e.getKey() + " (" + e.getValue().name().toLowerCase(Locale.ROOT) + ")");
            meta(g, "process_sort_index", e.getKey(), 0, "sort_index", e.getValue().ordinal() * 100_000 + e.getKey());
        }
        for (Slice s : tracks.values()) {
            int tid = tid(s);
            meta(g, "thread_name", s.rank(), tid, "name", s.lane() >= 0 ? "core " + s.lane() : "unreported " + (-s.lane()));
            meta(g, "thread_sort_index", s.rank(), tid, "sort_index", tid);
        }
    }

    private static void meta(JsonGenerator g, String name, int pid, int tid, String key, Object value) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "M");
        g.writeStringField("name", name);
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeObjectField(key, value);
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * The flow chain of each shard that needed more than one attempt because one was preempted,
     * lost or failed (shadows run beside their primary, not after it, and are left out).
     */
    static Map<Slice, String> flows(List<Slice> slices) {
        Map<String, List<Slice>> byShard = new LinkedHashMap<>();
        for (Slice s : slices) {
            if (!s.shard().endsWith(" (shadow)")) {
                byShard.computeIfAbsent(s.shard(), k -> new ArrayList<>()).add(s);
            }
        }
        Map<Slice, String> ids = new java.util.IdentityHashMap<>();
        int next = 1;
        for (List<Slice> attempts : byShard.values()) {
            if (attempts.size() < 2) {
                continue;
            }
            attempts.sort(Comparator.comparingInt(Slice::attempt).thenComparingLong(Slice::startNanos));
            String id = "0x" + Integer.toHexString(next++);
            for (int i = 0; i < attempts.size(); i++) {
                boolean resumed = i + 1 < attempts.size() && resumesAfter(attempts.get(i).outcome());
                boolean resumes = i > 0 && resumesAfter(attempts.get(i - 1).outcome());
                if (resumed || resumes) {
                    ids.put(attempts.get(i), id + (resumes ? "<" : "") + (resumed ? ">" : ""));
                }
            }
        }
        return ids;
    }

    private static boolean resumesAfter(Outcome o) {
        return o == Outcome.PREEMPTED || o == Outcome.LOST || o == Outcome.FAILED;
    }

    private static void slice(JsonGenerator g, Slice s, Map<Slice, String> flowIds) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "X");
        g.writeStringField("name", s.shard() + " [" + s.priority() + "]");
        g.writeStringField("cat", s.capacityClass().name().toLowerCase(Locale.ROOT));
        g.writeNumberField("pid", s.rank());
        g.writeNumberField("tid", tid(s));
        g.writeFieldName("ts");
        g.writeNumber(micros(s.startNanos()));
        g.writeFieldName("dur");
        g.writeNumber(micros(s.durationNanos()));
        String flow = flowIds.get(s);
        if (flow != null) {
            g.writeStringField("bind_id", flow.replace("<", "").replace(">", ""));
            if (flow.contains("<")) {
                g.writeBooleanField("flow_in", true);
            }
            if (flow.contains(">")) {
                g.writeBooleanField("flow_out", true);
            }
        }
        g.writeObjectFieldStart("args");
        g.writeNumberField("attempt", s.attempt());
        g.writeStringField("outcome", s.outcome().label());
        g.writeBooleanField("stamped", s.stamped());
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Counter events, each written only when its value changed. */
    private static void counters(JsonGenerator g, List<CounterSample> samples) throws IOException {
        String previousCores = null;
        String previousBusy = null;
        int previousReady = -1;
        for (CounterSample c : samples) {
            String cores = java.util.Arrays.toString(c.cores());
            if (!cores.equals(previousCores)) {
                counter(g, "cores", c.atNanos(), c.cores());
                previousCores = cores;
            }
            String busy = java.util.Arrays.toString(c.busyCores());
            if (!busy.equals(previousBusy)) {
                counter(g, "busy cores", c.atNanos(), c.busyCores());
                previousBusy = busy;
            }
            if (c.readyShards() != previousReady) {
                g.writeStartObject();
                g.writeStringField("ph", "C");
                g.writeStringField("name", "ready shards");
                g.writeNumberField("pid", 0);
                g.writeFieldName("ts");
                g.writeNumber(micros(c.atNanos()));
                g.writeObjectFieldStart("args");
                g.writeNumberField("ready", c.readyShards());
                g.writeEndObject();
                g.writeEndObject();
                previousReady = c.readyShards();
            }
        }
    }

    private static void counter(JsonGenerator g, String name, long at, int[] byClass) throws IOException {
        g.writeStartObject();
        g.writeStringField("ph", "C");
        g.writeStringField("name", name);
        g.writeNumberField("pid", 0);
        g.writeFieldName("ts");
        g.writeNumber(micros(at));
        g.writeObjectFieldStart("args");
        for (CapacityClass c : CapacityClass.values()) {
            g.writeNumberField(c.name().toLowerCase(Locale.ROOT), byClass[c.ordinal()]);
        }
        g.writeEndObject();
        g.writeEndObject();
    }
}
