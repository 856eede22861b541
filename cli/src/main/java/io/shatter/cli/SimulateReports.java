package io.shatter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.shatter.observe.RunTimeline;
import io.shatter.observe.Slice;
import io.shatter.report.ChromeTrace;
import io.shatter.report.SummaryJson;
import io.shatter.simulator.SimulationReport;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code shatter simulate} prints and writes: a real run's summary line and JSON, plus the simulation's own figures. */
final class SimulateReports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Fields measured on the wall clock: the only ones that differ between two simulations with the same seed. */
    static final List<String> WALL_CLOCK_FIELDS = List.of("broker_ns_per_shard", "wall_s", "cpu_s", "events_per_s");

    private SimulateReports() {
    }

    static void print(PrintWriter out, SimulationReport r) {
        out.println(WorkloadCommand.headline(r.summary()));
        out.printf(Locale.ROOT, "simulated: %.3f s of simulated time, %d events in %.3f s wall, %.3f s CPU (%.0f events/s); broker core %.0f ns "
                        + "per attempt (wall)%n", r.simulatedNanos() / 1e9, r.events(), r.wallNanos() / 1e9, r.cpuNanos() / 1e9,
                r.eventsPerSecond(), r.summary().brokerNanosPerShard());
        for (String w : r.warnings()) {
            out.println("warning: " + w);
        }
    }

    /** The summary JSON of a real run (makespan in simulated seconds), and a {@code simulation} object. */
    static Map<String, Object> summaryJson(SimulationReport r) {
        Map<String, Object> json = new LinkedHashMap<>(SummaryJson.fields(r.summary(), null, r.failure().orElse(null)));
        Map<String, Object> sim = new LinkedHashMap<>();
        sim.put("events", r.events());
        sim.put("simulated_s", r.simulatedNanos() / 1e9);
        sim.put("wall_s", r.wallNanos() / 1e9);
        sim.put("cpu_s", r.cpuNanos() / 1e9);
        sim.put("events_per_s", r.eventsPerSecond());
        json.put("simulation", sim);
        return json;
    }

    static void writeSummary(Path file, SimulationReport r) throws IOException {
        createParent(file);
        JSON.writeValue(file.toFile(), summaryJson(r));
    }

    /** The timeline; above {@code limit} slices, those of every k-th rank only, so that Perfetto can open it. */
    static void writeTrace(Path file, RunTimeline timeline, int limit, PrintWriter out) throws IOException {
        RunTimeline kept = timeline;
        List<Slice> slices = timeline.slices();
        if (slices.size() > limit) {
            int every = (int) Math.ceil((double) slices.size() / limit);
            List<Slice> sampled = slices.stream().filter(e -> e.rank() % every == 0).toList();
            kept = new RunTimeline(sampled, timeline.marks().stream().filter(m -> m.rank() % every == 0).toList(),
                    timeline.checkpoints(), timeline.counters(), timeline.makespanNanos(), timeline.adjustedSlices());
            out.printf(Locale.ROOT, "trace: %d of %d slices (ranks divisible by %d) in %s%n", sampled.size(), slices.size(), every, file);
        }
        ChromeTrace.write(file, kept);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
