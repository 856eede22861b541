package io.shatter.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input a user can give: exit code 2, one message naming the culprit and what to
 * do, no stack trace, and nothing run (no journal, no summary line): the mistake is found before
 * any work starts.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    /** One case: a name, the arguments (given the case's own directory), and words the message must contain. */
    private record Case(String name, Function<Path, List<String>> args, String... expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A small heat run with {@code more} options (which replace the defaults they name). */
    private static List<String> heat(Path d, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "heat"));
        List<String> defaults = List.of("--grid", "64", "--steps", "2", "--sweeps", "2", "--ranks", "2");
        for (int i = 0; i < defaults.size(); i += 2) {
            if (!List.of(more).contains(defaults.get(i))) {
                args.addAll(defaults.subList(i, i + 2));
            }
        }
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> tasks(Path d, String content) {
        return tasksBytes(d, content.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> tasksBytes(Path d, byte[] content) {
        Path file = d.resolve("tasks.txt");
        write(file, content);
        return new ArrayList<>(List.of("run", "tasks", "--file", file.toString()));
    }

    private static Path write(Path file, byte[] content) {
        try {
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path aFile(Path d) {
        return write(d.resolve("plain-file"), new byte[] {1});
    }

    static Stream<Arguments> cases() {
        byte[] badUtf8 = "a : echo ok\nb : echo \u00e9 \u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        String longCommand = "a : echo " + "x".repeat(2_000_000) + "\n";
        String longId = "a".repeat(100_000) + " : echo hi\n";
        List<Case> cases = List.of(
                new Case("task file is a directory", d -> List.of("run", "tasks", "--file", d.toString()), "--file", "is a directory"),
                new Case("task file not UTF-8", d -> tasksBytes(d, badUtf8), "tasks.txt:2:", "not UTF-8", "save the task file as UTF-8"),
                new Case("task file missing", d -> List.of("run", "tasks", "--file", d.resolve("nope.txt").toString()), "nope.txt", "does not exist"),
                new Case("task file not given", d -> List.of("run", "tasks"), "Missing required option", "--file"),
                new Case("2 MB command", d -> tasks(d, longCommand), "tasks.txt:1:", "2000005 bytes", "the limit is 131071", "script"),
                new Case("100 kB task id", d -> tasks(d, longId), "tasks.txt:1:", "longer than 200 characters", "(100000 characters)"),
                new Case("task line without ':'", d -> tasks(d, "a echo hi\n"), "tasks.txt:1:", "no ':'"),
                new Case("task after an unknown task", d -> tasks(d, "a after=zz : echo\n"), "tasks.txt:1:", "'zz', which no line declares"),
                new Case("task id declared twice", d -> tasks(d, "a : echo\na : echo\n"), "tasks.txt:2:", "already declared on line 1"),
                new Case("task cycle", d -> tasks(d, "a after=b : echo\nb after=a : echo\n"), "cycle", "a", "b"),
                new Case("task cores=0", d -> tasks(d, "a cores=0 : echo\n"), "tasks.txt:1:", "cores must be a whole number of at least 1"),
                new Case("task file without tasks", d -> tasks(d, "# nothing\n"), "has no tasks"),
                new Case("--summary-json a directory", d -> heat(d, "--summary-json", d.toString()), "--summary-json", "is a directory", "summary.json"),
                new Case("--summary-json under a file", d -> heat(d, "--summary-json", aFile(d).resolve("s.json").toString()), "--summary-json", "is a file, not a directory"),
                new Case("--trace a directory", d -> heat(d, "--trace", d.toString()), "--trace", "is a directory"),
                new Case("--trace under a file", d -> heat(d, "--trace", aFile(d).resolve("t.json").toString()), "--trace", "is a file, not a directory"),
                new Case("--report a directory", d -> heat(d, "--report", d.toString()), "--report", "is a directory"),
                new Case("--report under a file", d -> heat(d, "--report", aFile(d).resolve("r.html").toString()), "--report", "is a file, not a directory"),
                new Case("--run-dir a file", d -> heat(d, "--run-dir", aFile(d).toString()), "--run-dir", "is a file"),
                new Case("--checkpoint-dir under a file", d -> heat(d, "--checkpoint-dir", aFile(d).resolve("c").toString()), "--checkpoint-dir"),
                new Case("heat --steps -1", d -> heat(d, "--steps", "-1"), "'--steps'", "'-1'", "at least 1"),
                new Case("heat --sweeps x", d -> heat(d, "--sweeps", "x"), "'--sweeps'", "'x'"),
                new Case("heat --grid 1", d -> heat(d, "--grid", "1"), "--grid must be at least 2"),
                new Case("heat --grid not divisible by --tiles", d -> heat(d, "--tiles", "3"), "--grid 64 is not divisible by --tiles 3"),
                new Case("heat --grid too large for the heap", d -> heat(d, "--grid", "1000000"), "--grid 1000000 needs", "heap"),
                new Case("--rank (typo)", d -> heat(d, "--rank", "4"), "Unknown option", "'--rank'", "Did you mean --ranks"),
                new Case("run heta (typo)", d -> List.of("run", "heta"), "unknown workload 'heta'", "montecarlo, heat, heat-annotated, cholesky, tasks, bench or taskbench", "Did you mean heat"),
                new Case("run without a workload", d -> List.of("run"), "name a workload: montecarlo, heat, heat-annotated, cholesky, tasks, bench or taskbench"),
                new Case("runn (typo)", d -> List.of("runn", "heat"), "'runn'", "Did you mean run"),
                new Case("--ranks 100000", d -> heat(d, "--ranks", "100000"), "'--ranks'", "'100000'", "1 to 1024", "mpirun"),
                new Case("--ranks 0", d -> heat(d, "--ranks", "0"), "'--ranks'", "'0'"),
                new Case("--cores-per-rank 0", d -> heat(d, "--cores-per-rank", "0"), "'--cores-per-rank'", "'0'"),
                new Case("--excess -1", d -> heat(d, "--excess", "-1"), "'--excess'", "'-1'"),
                new Case("classes do not add up", d -> heat(d, "--reserved", "1", "--excess", "2"), "must add up to --ranks 2"),
                new Case("--revoke-every without excess", d -> heat(d, "--revoke-every", "50ms"), "--revoke-every", "add --excess N"),
                new Case("--revoke-every 0ms", d -> heat(d, "--revoke-every", "0ms", "--excess", "1"), "'--revoke-every'", "longer than zero"),
                new Case("--checkpoint-every in parsecs", d -> heat(d, "--checkpoint-every", "5 parsecs"), "'--checkpoint-every'", "not a duration"),
                new Case("--seed not a number", d -> heat(d, "--seed", "x"), "'--seed'", "'x'"),
                new Case("montecarlo --shards 0", d -> List.of("run", "montecarlo", "--shards", "0"), "'--shards'", "'0'"),
                new Case("bench --tasks -5", d -> List.of("run", "bench", "--tasks", "-5"), "'--tasks'", "'-5'"),
                new Case("bench --warmup -1", d -> List.of("run", "bench", "--warmup", "-1"), "'--warmup'", "'-1'"),
                new Case("tasks --retries -1", d -> { List<String> a = tasks(d, "a : echo\n"); a.addAll(List.of("--retries", "-1")); return a; },
                        "'--retries'", "'-1'"),
                new Case("--excess-workers -1", d -> heat(d, "--excess-workers", "-1"), "'--excess-workers'", "'-1'"));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedBeforeAnyWorkWithExitCode2AndANamedCulprit(Case c) throws IOException {
        Path d = Files.createDirectories(dir.resolve(c.name().replaceAll("[^A-Za-z0-9]+", "-")));
        Path runDir = d.resolve("run");
        List<String> args = new ArrayList<>(c.args().apply(d));
        if (!args.contains("--run-dir") && args.size() > 1 && args.get(0).equals("run") && !args.get(1).startsWith("-")) {
            args.addAll(List.of("--run-dir", runDir.toString(), "--no-progress"));
        }
        CliRun o = CliRun.of(args.toArray(new String[0]));
        assertEquals(2, o.code(), c.name() + ": " + o.err() + o.out());
        for (String e : c.expected()) {
            assertTrue(o.err().contains(e), c.name() + ": '" + e + "' missing in: " + o.err());
        }
        assertFalse(o.err().contains("internal error") || o.err().contains("\tat ") || o.err().contains("Exception"),
                c.name() + ": " + o.err());
        assertTrue(o.err().length() < 2_000, c.name() + ": a message of " + o.err().length() + " characters");
        assertFalse(o.out().contains("summary:"), c.name() + ": work started: " + o.out());
        assertFalse(Files.exists(runDir.resolve("journal.bin")), c.name() + ": a journal was created, so work started");
    }
}
