package io.shatter.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shatter.CapacityClass;
import io.shatter.RunSummary;
import io.shatter.observe.CheckpointMark;
import io.shatter.observe.CounterSample;
import io.shatter.observe.Mark;
import io.shatter.observe.Outcome;
import io.shatter.observe.RunTimeline;
import io.shatter.observe.Slice;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run report as one self-contained HTML file: the timeline by rank, core and capacity class,
 * capacity and busy cores over time, where work was lost and why, checkpoints and their sizes, the
 * slowest shards, and the summary figures. The charts are Apache ECharts (its minified build, from
 * the ECharts WebJar, copied into the file), so the page needs no network when viewed.
 */
public final class HtmlReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    /** Shards listed among the slowest. */
    static final int SLOWEST = 25;

    private HtmlReport() {
    }

    /**
     * Writes the report of a run to {@code file}.
     *
     * @param headline one line on top, e.g. the summary line (may be empty)
     * @param verified whether the result was checked and equal (null: not checked)
     * @param error    why the run failed, or null
     */
    public static void write(Path file, RunSummary summary, RunTimeline timeline, String headline, Boolean verified, String error)
            throws IOException {
        String html = render(summary, timeline, headline, verified, error);
        OutputFile.write(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** The report's HTML. */
    public static String render(RunSummary summary, RunTimeline timeline, String headline, Boolean verified, String error)
            throws IOException {
        String json = JSON.writeValueAsString(data(summary, timeline, headline, verified, error))
                .replace("</", "<\\/"); // a shard named "</script>" must not end the data block
        String template = resource("io/shatter/report/report.html");
        Map<String, String> parts = Map.of("$TITLE$", escape(summary.graph()), "$ECHARTS$", resource(ECHARTS),
                "$DATA$", json, "$REPORT_JS$", resource("io/shatter/report/report.js"));
        StringBuilder out = new StringBuilder(template.length() + json.length() + 1_100_000);
        int at = 0;
        while (true) { // fill the template's placeholders (never the text put in, which may contain '$')
            int next = template.indexOf('$', at);
            int close = next < 0 ? -1 : template.indexOf('$', next + 1);
            if (close < 0) {
                out.append(template, at, template.length());
                return out.toString();
            }
            String key = template.substring(next, close + 1);
            if (parts.containsKey(key)) {
                out.append(template, at, next).append(parts.get(key));
                at = close + 1;
            } else {
                out.append(template, at, close);
                at = close;
            }
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath (the shatter-report jar or the ECharts WebJar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e3) / 1e6; // microsecond precision is plenty and keeps the file small
    }

    static Map<String, Object> data(RunSummary summary, RunTimeline timeline, String headline, Boolean verified, String error) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("title", summary.graph());
        d.put("headline", headline);
        d.put("makespan", seconds(Math.max(timeline.makespanNanos(), (long) (summary.makespanSeconds() * 1e9))));
        d.put("summary", SummaryJson.fields(summary, verified, error));
        d.put("classes", Arrays.stream(CapacityClass.values()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
        d.put("outcomes", Arrays.stream(Outcome.values()).map(Outcome::label).toList());

        // Tracks: by class, rank, then lanes before unreported tracks.
        TreeMap<Long, String> trackNames = new TreeMap<>();
        for (Slice s : timeline.slices()) {
            long key = ((long) s.capacityClass().ordinal() << 48) | ((long) s.rank() << 20) | ChromeTrace.tid(s);
            trackNames.putIfAbsent(key, "rank " + s.rank() + " " + s.capacityClass().name().toLowerCase(Locale.ROOT)
                    + (s.lane() >= 0 ? " core " + s.lane() : " unreported " + (-s.lane())));
        }
        Map<Long, Integer> trackIndex = new HashMap<>();
        for (Long key : trackNames.keySet()) {
            trackIndex.put(key, trackIndex.size());
        }
        d.put("tracks", new ArrayList<>(trackNames.values()));
        Map<String, Integer> shardIndex = new LinkedHashMap<>();
        List<Object[]> slices = new ArrayList<>(timeline.slices().size());
        for (Slice s : timeline.slices()) {
            long key = ((long) s.capacityClass().ordinal() << 48) | ((long) s.rank() << 20) | ChromeTrace.tid(s);
            int shard = shardIndex.computeIfAbsent(s.shard(), k -> shardIndex.size());
            slices.add(new Object[] {trackIndex.get(key), seconds(s.startNanos()), seconds(s.endNanos()), shard,
                    s.outcome().ordinal(), s.attempt()});
        }
        d.put("slices", slices);
        d.put("revocations", timeline.marks().stream().filter(m -> m.kind() == Mark.Kind.REVOKED)
                .map(m -> seconds(m.atNanos())).limit(2_000).toList());

        List<Double> t = new ArrayList<>();
        List<int[]> cores = new ArrayList<>();
        List<int[]> busy = new ArrayList<>();
        List<Integer> ready = new ArrayList<>();
        for (CounterSample c : timeline.counters()) {
            t.add(seconds(c.atNanos()));
            cores.add(c.cores());
            busy.add(c.busyCores());
            ready.add(c.readyShards());
        }
        d.put("counters", Map.of("t", t, "cores", cores, "busy", busy, "ready", ready));

        List<Outcome> notCompleted = List.of(Outcome.LOST, Outcome.PREEMPTED, Outcome.FAILED, Outcome.CANCELLED);
        TreeMap<Integer, double[]> byRank = new TreeMap<>();
        for (Slice s : timeline.slices()) {
            double[] row = byRank.computeIfAbsent(s.rank(), r -> new double[notCompleted.size()]);
            int i = notCompleted.indexOf(s.outcome());
            if (i >= 0) {
                row[i] += s.durationNanos() / 1e9;
            }
        }
        List<Integer> ranks = new ArrayList<>(byRank.keySet());
        List<double[]> lostSeconds = new ArrayList<>(byRank.values());
        d.put("lost", Map.of("ranks", ranks, "outcomes", notCompleted.stream().map(Outcome::label).toList(),
                "seconds", lostSeconds));

        List<Object[]> checkpoints = new ArrayList<>();
        for (CheckpointMark c : timeline.checkpoints()) {
            checkpoints.add(new Object[] {seconds(c.atNanos()), c.bytes(), shardIndex.computeIfAbsent(c.shard(), k -> shardIndex.size())});
        }
        d.put("checkpoints", checkpoints);
        d.put("shards", new ArrayList<>(shardIndex.keySet()));
        d.put("slowest", timeline.slices().stream().filter(s -> s.outcome() == Outcome.COMPLETED)
                .sorted(Comparator.comparingLong(Slice::durationNanos).reversed()).limit(SLOWEST)
                .map(s -> new Object[] {s.shard(), seconds(s.durationNanos()), s.rank(), s.attempt()}).toList());
        return d;
    }
}
