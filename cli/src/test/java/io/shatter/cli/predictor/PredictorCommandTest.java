package io.shatter.cli.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The predictor commands end to end on the real KTH excerpt (shared with the predictor module's tests). */
class PredictorCommandTest {
    private static final Path KTH = Path.of("../predictor/src/test/resources/KTH-SP2-1996-2.1-cln.excerpt.swf");

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PredictorCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainThenEvaluateWithPlot() throws IOException {
        Path model = dir.resolve("kth.model");
        Run train = run("train", "--trace", KTH.toString(), "--out", model.toString(), "--features", "capacity",
                "--epochs", "2", "--hidden", "16");
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(Files.size(model) > 0);
        Path plot = dir.resolve("forecast.png");
        Path reliability = dir.resolve("reliability.png");
        Run evaluate = run("evaluate", "--trace", KTH.toString(), "--model", model.toString(), "--plot", plot.toString(),
                "--reliability-plot", reliability.toString());
        assertEquals(0, evaluate.exitCode(), evaluate.err());
        assertTrue(evaluate.out().contains("model/persistence"), evaluate.out());
        for (String horizon : new String[] {"   5 min", "  30 min", " 120 min"}) {
            assertTrue(evaluate.out().contains(horizon), evaluate.out());
        }
        for (String row : new String[] {"  pooled persistence", "  pooled E ", "  pooled model ", "  pooled model+cal", "  pooled model+online",
                "Reliability", "[0.95,0.99)", "Calibration of the model chosen on the validation period"}) {
            assertTrue(evaluate.out().contains(row), row + " missing from\n" + evaluate.out());
        }
        assertEquals(1400, ImageIO.read(plot.toFile()).getWidth());
        assertEquals(640, ImageIO.read(reliability.toFile()).getWidth());
        Path html = dir.resolve("forecast.html");
        assertEquals(0, run("evaluate", "--trace", KTH.toString(), "--model", model.toString(), "--plot", html.toString()).exitCode());
        assertTrue(Files.readString(html).contains("echarts.init(") && !Files.readString(html).contains("<script src"));

        Run otherHorizons = run("evaluate", "--trace", KTH.toString(), "--model", model.toString(), "--horizons", "10,60");
        assertEquals(2, otherHorizons.exitCode());
        assertTrue(otherHorizons.err().contains("forecasts horizons [5 min, 30 min, 120 min]"), otherHorizons.err());
    }

    @Test
    void aModelEvaluatedOnAnotherTraceIsRefusedUnlessAllowed() throws IOException {
        Path model = dir.resolve("kth.model");
        assertEquals(0, run("train", "--trace", KTH.toString(), "--out", model.toString(), "--features", "capacity",
                "--epochs", "1", "--hidden", "8").exitCode());
        List<String> lines = new ArrayList<>(Files.readAllLines(KTH, StandardCharsets.ISO_8859_1));
        lines.remove(lines.size() - 1);
        Path other = dir.resolve("other.swf");
        Files.write(other, lines, StandardCharsets.ISO_8859_1);
        Run refused = run("evaluate", "--trace", other.toString(), "--model", model.toString());
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("was trained on KTH-SP2-1996-2.1-cln.excerpt.swf (") && refused.err().contains("not on other.swf ("),
                refused.err());
        assertTrue(refused.err().contains("--allow-other-trace"), refused.err());
        assertFalse(refused.err().contains("\tat "), refused.err());
        Run allowed = run("evaluate", "--trace", other.toString(), "--model", model.toString(), "--allow-other-trace");
        assertEquals(0, allowed.exitCode(), allowed.err());
        assertTrue(allowed.out().startsWith("warning: Model "), allowed.out());
    }

    @Test
    void aLogWithNoKnownWaitTimeNamesTheFieldAndCanAssumeZeroWait() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(KTH, StandardCharsets.ISO_8859_1)) {
            String[] fields = line.trim().split("\\s+");
            if (line.startsWith(";") || fields.length < 18) {
                lines.add(line);
            } else {
                fields[2] = "-1";
                lines.add(String.join(" ", fields));
            }
        }
        Path noWaits = dir.resolve("no-waits.swf");
        Files.write(noWaits, lines, StandardCharsets.ISO_8859_1);
        Path model = dir.resolve("m");
        Run refused = run("train", "--trace", noWaits.toString(), "--out", model.toString(), "--features", "capacity");
        assertEquals(2, refused.exitCode());
        assertTrue(refused.err().contains("the wait time (field 3) is unknown (-1) on all its"), refused.err());
        assertTrue(refused.err().contains("--assume-zero-wait"), refused.err());
        assertFalse(Files.exists(model));
        Run assumed = run("train", "--trace", noWaits.toString(), "--out", model.toString(), "--features", "capacity",
                "--epochs", "1", "--hidden", "8", "--assume-zero-wait");
        assertEquals(0, assumed.exitCode(), assumed.err());
        assertTrue(assumed.out().contains("note: warning: the wait time (field 3) of "), assumed.out());
    }

    @Test
    void userErrorsExitWithTwoAndNoStackTrace() throws IOException {
        Path notAModel = Files.writeString(dir.resolve("junk.model"), "hello");
        Run junk = run("evaluate", "--trace", KTH.toString(), "--model", notAModel.toString());
        assertEquals(2, junk.exitCode());
        assertTrue(junk.err().startsWith("shatter: File "), junk.err());
        assertFalse(junk.err().contains("\tat "), junk.err());

        List<String> lines = new ArrayList<>(Files.readAllLines(KTH, StandardCharsets.ISO_8859_1));
        lines.add(25, "this is not a job");
        Path bad = dir.resolve("bad.swf");
        Files.write(bad, lines, StandardCharsets.ISO_8859_1);
        Run stop = run("train", "--trace", bad.toString(), "--out", dir.resolve("m").toString());
        assertEquals(2, stop.exitCode());
        assertTrue(stop.err().contains("Line 26 of bad.swf"), stop.err());
        assertFalse(stop.err().contains("\tat "), stop.err());

        Path empty = Files.writeString(dir.resolve("empty.swf"), "; MaxProcs: 10\n");
        Run emptyRun = run("train", "--trace", empty.toString(), "--out", dir.resolve("m").toString());
        assertEquals(2, emptyRun.exitCode());
        assertTrue(emptyRun.err().contains("no job line"), emptyRun.err());
    }
}
