package io.shatter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code shatter} command end to end, in-process: results, verification and bad input. */
class CliTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void heatWithRevocationsVerifiesAndCountsRevocations() throws IOException {
        Path summary = dir.resolve("s.json");
        Path trace = dir.resolve("t.json");
        CliRun o = run("run", "heat", "--grid", "128", "--steps", "12", "--sweeps", "200", "--ranks", "4", "--reserved", "2",
                "--excess", "2", "--revoke-every", "20ms", "--seed", "7", "--verify", "--summary-json", summary.toString(),
                "--trace", trace.toString(), "--run-dir", dir.resolve("run").toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("verified:"), o.out());
        String json = Files.readString(summary);
        assertTrue(json.matches("(?s).*\"revocations\" : [1-9].*"), json);
        assertTrue(json.contains("\"verified\" : true"), json);
        String timeline = Files.readString(trace);
        assertTrue(timeline.contains("\"traceEvents\"") && timeline.contains("\"ph\":\"X\"") && timeline.contains("(excess)"), timeline.substring(0, 300));
    }

    @Test
    void montecarloVerifies() {
        CliRun o = run("run", "montecarlo", "--shards", "40", "--samples", "20000", "--ranks", "2", "--verify", "--no-progress",
                "--run-dir", dir.resolve("run").toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("verified:"), o.out());
    }

    @Test
    void benchVerifiesAndPrintsItsFigures() throws IOException {
        Path summary = dir.resolve("bench.json");
        CliRun o = run("run", "bench", "--tasks", "300", "--grain", "200us", "--ranks", "2", "--verify",
                "--summary-json", summary.toString(), "--no-progress");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("verified: all 300 shards committed their own index once (sum 44850)"), o.out());
        String line = o.out().lines().filter(l -> l.startsWith("bench: ")).findFirst().orElseThrow();
        var figures = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring("bench: ".length()));
        assertEquals(300, figures.get("tasks").asInt());
        assertEquals(2, figures.get("workers").asInt());
        double inPool = figures.get("in_pool_s").asDouble();
        // 300 x 200 us of spinning over 2 workers cannot take less than 30 ms.
        assertTrue(inPool >= 0.030, line);
        assertEquals(300 / inPool, figures.get("tasks_per_s").asDouble(), 1e-6 * 300 / inPool);
        assertEquals(300 * 200e-6 / (inPool * 2), figures.get("efficiency").asDouble(), 1e-9);
        assertTrue(Files.readString(summary).contains("\"shards_completed\" : 300"));
    }

    @Test
    void benchNoOpAndBadTaskCount() {
        CliRun ok = run("run", "bench", "--tasks", "1000", "--grain", "0", "--warmup", "200", "--ranks", "2", "--verify", "--no-progress");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("verified: all 1000 shards"), ok.out());
        assertTrue(ok.out().contains("\"warmup_tasks\":200"), ok.out());
        CliRun bad = run("run", "bench", "--tasks", "0", "--no-progress");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("Invalid value for option '--tasks': '0' is not a whole number of at least 1"), bad.err());
    }

    @Test
    void taskbenchRunsEveryPatternAndChecksItsEdges() throws IOException {
        String[][] patterns = {{"trivial"}, {"no_comm"}, {"stencil_1d"}, {"stencil_1d_periodic"}, {"dom"}, {"tree"}, {"fft"},
                {"all_to_all"}, {"nearest", "--radix", "3"}, {"nearest", "--radix", "5"}};
        for (String[] p : patterns) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "taskbench", "--type", p[0], "--width", "5",
                    "--steps", "12", "--iterations", "50", "--output-bytes", "40", "--ranks", "2", "--verify", "--no-progress",
                    "--run-dir", dir.resolve("tb-" + p[0] + p.length).toString()));
            args.addAll(java.util.Arrays.asList(p).subList(1, p.length));
            CliRun o = run(args.toArray(String[]::new));
            assertEquals(0, o.code(), p[0] + ": " + o.err());
            assertTrue(o.out().contains("verified: "), o.out());
            String line = o.out().lines().filter(l -> l.startsWith("taskbench: ")).findFirst().orElseThrow();
            var figures = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line.substring("taskbench: ".length()));
            long tasks = new io.shatter.cli.workloads.TaskBenchPattern(io.shatter.cli.workloads.TaskBenchPattern.Type.valueOf(
                    p[0].toUpperCase(java.util.Locale.ROOT)), 5, 12, p.length > 1 ? Integer.parseInt(p[2]) : 3).taskCount();
            assertEquals(tasks, figures.get("tasks").asLong(), line);
            assertEquals(tasks, figures.get("attempts").asLong(), line);
        }
        // An untimed warm-up of the same pattern over other steps first (dom's widths depend on the step count): the timed
        // run's figures and verification are its own.
        CliRun warm = run("run", "taskbench", "--type", "dom", "--width", "4", "--steps", "9", "--iterations", "50", "--warmup", "30",
                "--ranks", "2", "--verify", "--no-progress", "--run-dir", dir.resolve("tb-warm").toString());
        assertEquals(0, warm.code(), warm.err());
        long domTasks = new io.shatter.cli.workloads.TaskBenchPattern(io.shatter.cli.workloads.TaskBenchPattern.Type.DOM, 4, 9, 3).taskCount();
        assertTrue(warm.out().contains("verified: " + domTasks + " tasks"), warm.out());
        assertTrue(warm.out().contains("\"attempts\":" + domTasks + ","), warm.out());
        assertTrue(warm.out().contains("\"warmup_steps\":30"), warm.out());
        // Revoked excess ranks hand their queued and running tasks back (600 tasks of ~0.5 ms on 4 ranks outlast several
        // 15 ms revocation periods): every edge still carries the right tag.
        Path summary = dir.resolve("tb-revoked.json");
        CliRun revoked = run("run", "taskbench", "--type", "stencil_1d_periodic", "--width", "4", "--steps", "150", "--iterations",
                "100000", "--ranks", "4", "--reserved", "2", "--excess", "2", "--revoke-every", "15ms", "--seed", "3", "--verify",
                "--no-progress", "--summary-json", summary.toString(), "--run-dir", dir.resolve("tb-revoked").toString());
        assertEquals(0, revoked.code(), revoked.err());
        assertTrue(revoked.out().contains("verified: 600 tasks"), revoked.out());
        assertTrue(Files.readString(summary).matches("(?s).*\"revocations\" : [1-9].*"), Files.readString(summary));
        CliRun bad = run("run", "taskbench", "--type", "stencil", "--no-progress");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("'stencil' is not a pattern; use one of trivial"), bad.err());
        CliRun fft1 = run("run", "taskbench", "--type", "fft", "--width", "1", "--no-progress", "--run-dir", dir.resolve("fft1").toString());
        assertEquals(2, fft1.code());
        assertTrue(fft1.err().contains("--type fft needs --width of at least 2"), fft1.err());
        CliRun small = run("run", "taskbench", "--output-bytes", "8", "--no-progress", "--run-dir", dir.resolve("small").toString());
        assertEquals(2, small.code());
        assertTrue(small.err().contains("--output-bytes must be at least 16"), small.err());
    }

    @Test
    void tasksRunInDependencyOrderWithOutputFiles() throws IOException {
        Path file = dir.resolve("tasks.txt");
        Files.writeString(file, """
                # a small pipeline
                prepare priority=high : echo ready > %1$s/prepared
                left after=prepare : cat %1$s/prepared
                right after=prepare cores=1 : echo right
                join priority=low after=left,right : echo joined
                """.formatted(dir));
        CliRun o = run("run", "tasks", "--file", file.toString(), "--run-dir", dir.resolve("run").toString(), "--verify", "--no-progress");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("verified: 4 tasks"), o.out());
        assertEquals("ready\n", Files.readString(dir.resolve("run/tasks/left.out")));
    }

    @Test
    void taskFileWithCycleNamesTheTasks() throws IOException {
        Path file = dir.resolve("cycle.txt");
        Files.writeString(file, "a after=c : true\nb after=a : true\nc after=b : true\nd : true\n");
        CliRun o = run("run", "tasks", "--file", file.toString(), "--run-dir", dir.toString());
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("cycle") && o.err().contains("a") && o.err().contains("b") && o.err().contains("c"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    }

    @Test
    void taskFileSyntaxErrorNamesTheLine() throws IOException {
        Path file = dir.resolve("bad.txt");
        Files.writeString(file, "a : true\n\nb priority=urgent : true\n");
        CliRun o = run("run", "tasks", "--file", file.toString(), "--run-dir", dir.toString());
        assertEquals(Main.USAGE, o.code());
        assertTrue(o.err().contains("bad.txt:3:") && o.err().contains("urgent"), o.err());
    }

    @Test
    void failingTaskFailsTheRunAndKeepsCompletedWorkInTheSummary() throws IOException {
        Path file = dir.resolve("fail.txt");
        Files.writeString(file, "ok : true\nbroken after=ok : exit 3\n");
        Path summary = dir.resolve("s.json");
        CliRun o = run("run", "tasks", "--file", file.toString(), "--run-dir", dir.toString(), "--summary-json", summary.toString(), "--no-progress");
        assertEquals(Main.RUN_FAILED, o.code());
        assertTrue(o.err().contains("broken") && o.err().contains("status 3"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        String json = Files.readString(summary);
        assertTrue(json.contains("\"shards_completed\" : 1") && json.contains("\"failed_shard\" : \"broken\""), json);
    }

    @Test
    void runDirectoryHoldingAnotherUnfinishedRunIsRefusedAndKept() throws IOException {
        Path file = dir.resolve("fail.txt");
        Files.writeString(file, "ok : true\nbroken after=ok : exit 3\n");
        Path runDir = dir.resolve("run");
        assertEquals(Main.RUN_FAILED, run("run", "tasks", "--file", file.toString(), "--run-dir", runDir.toString(), "--no-progress").code());
        byte[] journal = Files.readAllBytes(runDir.resolve("journal.bin"));

        CliRun other = run("run", "montecarlo", "--shards", "4", "--run-dir", runDir.toString(), "--no-progress");
        assertEquals(Main.USAGE, other.code(), other.err());
        assertTrue(other.err().contains("holds an unfinished run of graph 'tasks:fail.txt'")
                && other.err().contains("run the same command to resume it"), other.err());
        // The same task file with a command changed is another run too: its outputs would differ.
        Files.writeString(file, "ok : true\nbroken after=ok : exit 0\n");
        CliRun edited = run("run", "tasks", "--file", file.toString(), "--run-dir", runDir.toString(), "--no-progress");
        assertEquals(Main.USAGE, edited.code(), edited.err());
        assertTrue(edited.err().contains("started with other arguments"), edited.err());
        assertArrayEquals(journal, Files.readAllBytes(runDir.resolve("journal.bin")), "the refused run changed nothing");
    }

    @Test
    void unusableRunDirectoryIsAClearError() throws IOException {
        Path notADirectory = dir.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        CliRun o = run("run", "montecarlo", "--shards", "4", "--run-dir", notADirectory.resolve("run").toString(), "--no-progress");
        assertEquals(Main.USAGE, o.code(), o.err());
        assertTrue(o.err().contains(notADirectory.toString()) && o.err().contains("--run-dir"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals("x", Files.readString(notADirectory));
    }

    @Test
    void unknownWorkloadAndOptionAreClearErrors() {
        CliRun unknown = run("run", "fluid");
        assertEquals(Main.USAGE, unknown.code());
        assertTrue(unknown.err().contains("unknown workload 'fluid'"), unknown.err());
        CliRun option = run("run", "heat", "--warp-speed");
        assertEquals(Main.USAGE, option.code());
        assertTrue(option.err().contains("--warp-speed"), option.err());
        CliRun layout = run("run", "heat", "--ranks", "2", "--reserved", "2", "--excess", "2");
        assertEquals(Main.USAGE, layout.code());
        assertTrue(layout.err().contains("must add up to --ranks"), layout.err());
    }

    /** The real KTH excerpt the predictor module's tests use. */
    private static final Path KTH_EXCERPT = Path.of("../predictor/src/test/resources/KTH-SP2-1996-2.1-cln.excerpt.swf");

    @Test
    void predictorTrainThenEvaluateThroughTheShatterCommand() throws IOException {
        Path model = dir.resolve("kth.model");
        CliRun train = run("predictor", "train", "--trace", KTH_EXCERPT.toString(), "--out", model.toString(),
                "--epochs", "2", "--hidden", "16");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.size(model) > 0);
        Path plot = dir.resolve("forecast.png");
        CliRun evaluate = run("predictor", "evaluate", "--trace", KTH_EXCERPT.toString(), "--model", model.toString(),
                "--plot", plot.toString());
        assertEquals(0, evaluate.code(), evaluate.err());
        for (String row : new String[] {"   5 min", "  30 min", " 120 min", "model/persistence", "pooled E ",
                "The survival scores below have no model arms: this model uses queue details"}) {
            assertTrue(evaluate.out().contains(row), evaluate.out());
        }
        assertTrue(Files.size(plot) > 0);
    }

    @Test
    void predictorBadInputIsAClearErrorWithoutStackTrace() throws IOException {
        Path notAModel = Files.writeString(dir.resolve("junk.model"), "not a model");
        CliRun junk = run("predictor", "evaluate", "--trace", KTH_EXCERPT.toString(), "--model", notAModel.toString());
        assertEquals(Main.USAGE, junk.code());
        assertTrue(junk.err().startsWith("shatter: File "), junk.err());
        assertFalse(junk.err().contains("\tat "), junk.err());

        Path empty = Files.writeString(dir.resolve("empty.swf"), "; MaxProcs: 10\n");
        Path out = dir.resolve("never.model");
        CliRun emptyTrace = run("predictor", "train", "--trace", empty.toString(), "--out", out.toString());
        assertEquals(Main.USAGE, emptyTrace.code());
        assertTrue(emptyTrace.err().contains("no job line"), emptyTrace.err());
        assertFalse(Files.exists(out), "no model written from a bad trace");

        CliRun missing = run("predictor", "train", "--trace", dir.resolve("absent.swf").toString(), "--out", out.toString());
        assertEquals(Main.USAGE, missing.code());
        assertFalse(missing.err().contains("\tat "), missing.err());
    }
}
