package io.shatter.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.CapacityClass;
import io.shatter.Priority;
import io.shatter.observe.CounterSample;
import io.shatter.observe.Mark;
import io.shatter.observe.Outcome;
import io.shatter.observe.RunTimeline;
import io.shatter.observe.Slice;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace's layout on a small hand-made timeline: tracks, exact times, flows, instants, counters. */
class ChromeTraceTest {
    private static Slice slice(int rank, CapacityClass c, int lane, String shard, int attempt, long start, long end, Outcome o) {
        return new Slice(rank, c, lane, shard, Priority.HIGH, attempt, start, end, o, lane >= 0);
    }

    @Test
    void writesTracksPerLaneExactTimesFlowsInstantsAndCounters() throws Exception {
        List<Slice> slices = List.of(
                slice(1, CapacityClass.RESERVED, 0, "a", 1, 1_000, 2_500, Outcome.COMPLETED),
                slice(3, CapacityClass.EXCESS, 1, "t", 1, 1_234_567, 5_000_000, Outcome.PREEMPTED),
                slice(3, CapacityClass.EXCESS, -1, "u", 1, 2_000_000, 6_000_000, Outcome.LOST),
                slice(1, CapacityClass.RESERVED, 1, "t", 2, 5_100_000, 7_000_000, Outcome.LOST),
                slice(1, CapacityClass.RESERVED, 0, "t", 3, 7_500_000, 9_000_000, Outcome.COMPLETED),
                slice(1, CapacityClass.RESERVED, 1, "t (shadow)", 3, 7_600_000, 8_000_000, Outcome.CANCELLED));
        RunTimeline timeline = new RunTimeline(slices, List.of(new Mark(Mark.Kind.REVOKED, 3, 4_000_000, "")), List.of(),
                List.of(new CounterSample(0, 5, new int[] {4, 4, 0}, new int[] {0, 0, 0}),
                        new CounterSample(5_000_000, 5, new int[] {4, 4, 0}, new int[] {2, 1, 0})), 9_000_000, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTrace.write(out, timeline);
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("\"ts\":1234.567"), "microseconds with exact nanosecond decimals: " + text);
        JsonNode root = new ObjectMapper().readTree(text);
        assertEquals(0, root.get("metadata").get("shatter_adjusted_slices").asInt());

        List<JsonNode> xs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int counters = 0;
        for (JsonNode e : root.get("traceEvents")) {
            switch (e.get("ph").asText()) {
                case "X" -> xs.add(e);
                case "M" -> names.add(e.get("name").asText() + " " + e.get("pid") + "/" + e.get("tid") + " " + e.get("args").elements().next().asText());
                case "C" -> counters++;
                case "i" -> {
                    assertEquals("revoked", e.get("name").asText());
                    assertEquals(3, e.get("pid").asInt());
                    assertEquals("p", e.get("s").asText());
                }
                default -> throw new AssertionError(e.toString());
            }
        }
        assertTrue(names.contains("process_name 3/0 rank 3 (excess)"), names.toString());
        assertTrue(names.contains("thread_name 1/2 core 1"), names.toString());
        assertTrue(names.contains("thread_name 3/" + ChromeTrace.UNREPORTED_TID_BASE + " unreported 1"), names.toString());
        assertTrue(names.contains("process_name 0/0 broker"), names.toString());
        // cores unchanged at the second sample: written once; busy cores changed: twice; ready unchanged: once.
        assertEquals(4, counters);

        // The chain of shard t: attempt 1 (preempted) -> 2 (lost) -> 3 (completed); its shadow and a, u are not in it.
        List<JsonNode> chain = xs.stream().filter(e -> e.has("bind_id")).toList();
        assertEquals(List.of("t [HIGH]", "t [HIGH]", "t [HIGH]"), chain.stream().map(e -> e.get("name").asText()).toList());
        assertEquals(1, chain.stream().map(e -> e.get("bind_id").asText()).distinct().count());
        assertTrue(chain.get(0).has("flow_out") && !chain.get(0).has("flow_in"));
        assertTrue(chain.get(1).has("flow_out") && chain.get(1).has("flow_in"));
        assertTrue(!chain.get(2).has("flow_out") && chain.get(2).has("flow_in"));
        assertFalse(xs.stream().anyMatch(e -> e.get("name").asText().startsWith("t (shadow)") && e.has("bind_id")));
    }
    @Test
    void aRankRevokedBeforeItRanAnythingIsNamedAsExcess() throws Exception {
        RunTimeline timeline = new RunTimeline(
                List.of(slice(1, CapacityClass.RESERVED, 0, "a", 1, 1_000, 2_500, Outcome.COMPLETED)),
                List.of(new Mark(Mark.Kind.REVOKED, 7, 2_000, "")), List.of(), List.of(), 2_500, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTrace.write(out, timeline);
        List<String> names = new ArrayList<>();
        for (JsonNode e : new ObjectMapper().readTree(out.toByteArray()).get("traceEvents")) {
            if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("process_name")) {
                names.add(e.get("pid") + " " + e.get("args").get("name").asText());
            }
        }
        assertEquals(List.of("0 broker", "1 rank 1 (reserved)", "7 rank 7 (excess)"), names);
    }
}
