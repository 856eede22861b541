package io.shatter.predictor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwfReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsHeaderAndJobsOfPlainLog() {
        SwfLog log = SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP);
        assertEquals(100, log.maxProcs());
        assertEquals(843480031L, log.unixStartTime());
        assertEquals(ZoneId.of("Europe/Stockholm"), log.zone());
        assertEquals(3000, log.jobs().size());
        SwfJob first = log.jobs().get(0);
        // First data line of the KTH log: "1 0 964980 97225 56 -1 -1 56 210000 -1 1 1 1 -1 -1 -1 -1 -1".
        assertEquals(1, first.jobId());
        assertEquals(964980, first.waitTime());
        assertEquals(97225, first.runTime());
        assertEquals(56, first.procs());
        assertEquals(210000, first.requestedTime());
        assertEquals(20, first.lineNumber());
        assertTrue(log.badLines().isEmpty());
    }

    @Test
    void readsGzipLogByContent() {
        SwfLog log = SwfReader.read(Excerpts.ctcGzip(), BadLinePolicy.STOP);
        assertEquals(338, log.maxProcs());
        assertEquals(2500, log.jobs().size());
        assertEquals(ZoneId.of("US/Eastern"), log.zone());
    }

    /**
     * The same real excerpt as a converted or hand-edited copy may come: a byte-order mark, CRLF
     * line ends, "UNKNOWN" header values and numbers in decimal or exponent form. It reads as the
     * original does.
     */
    @Test
    void readsTheQuirksOfConvertedLogsAsTheOriginal() throws IOException {
        SwfLog original = SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP);
        List<String> lines = Files.readAllLines(Excerpts.kth(), StandardCharsets.ISO_8859_1);
        StringBuilder edited = new StringBuilder("\u00EF\u00BB\u00BF"); // UTF-8 BOM bytes, as ISO-8859-1 chars
        for (String line : lines) {
            String changed = line.startsWith("; UnixStartTime:") ? "; UnixStartTime: UNKNOWN"
                    : line.startsWith("; TimeZoneString:") ? "; TimeZoneString: UNKNOWN"
                    : line.startsWith(";") ? line
                    : line.replaceFirst("^(\\S+\\s+)(\\d+)", "$1$2.0").replaceFirst("\\s1\\s1\\s", " 1e0 1.0E+00 ");
            edited.append(changed).append("\r\n");
        }
        Path converted = dir.resolve("converted.swf");
        Files.writeString(converted, edited, StandardCharsets.ISO_8859_1);

        SwfLog log = SwfReader.read(converted, BadLinePolicy.STOP);
        assertEquals(original.maxProcs(), log.maxProcs());
        assertEquals(0, log.unixStartTime()); // unknown: times stay relative to the log's start
        assertEquals(ZoneOffset.ofHours(1), log.zone()); // the unknown zone name gives way to the "; TimeZone: 3600" offset
        assertEquals(original.jobs().size(), log.jobs().size());
        for (int i = 0; i < log.jobs().size(); i++) {
            SwfJob a = original.jobs().get(i);
            SwfJob b = log.jobs().get(i);
            assertEquals(List.of(a.submitTime(), a.waitTime(), a.runTime(), (long) a.procs(), a.requestedTime(), (long) a.userId()),
                    List.of(b.submitTime(), b.waitTime(), b.runTime(), (long) b.procs(), b.requestedTime(), (long) b.userId()),
                    "job on line " + a.lineNumber());
        }
    }

    @Test
    void malformedLineStopsWithItsNumberOrIsSkipped() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Excerpts.kth(), StandardCharsets.ISO_8859_1));
        lines.add(30, "12 34 oops");
        Path bad = dir.resolve("bad.swf");
        Files.write(bad, lines, StandardCharsets.ISO_8859_1);
        PredictorException e = assertThrows(PredictorException.class, () -> SwfReader.read(bad, BadLinePolicy.STOP));
        assertTrue(e.getMessage().contains("Line 31 of bad.swf"), e.getMessage());
        assertTrue(e.getMessage().contains("--on-bad-line skip"), e.getMessage());
        SwfLog skipped = SwfReader.read(bad, BadLinePolicy.SKIP);
        assertEquals(List.of(31L), skipped.badLines());
        assertEquals(3000, skipped.jobs().size());
        assertTrue(skipped.notes().get(0).contains("line 31"));
    }

    @Test
    void missingMaxProcsFallsBackToMaxNodes() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Excerpts.kth(), StandardCharsets.ISO_8859_1));
        lines.removeIf(l -> l.startsWith("; MaxProcs"));
        Path file = dir.resolve("nomaxprocs.swf");
        Files.write(file, lines, StandardCharsets.ISO_8859_1);
        SwfLog log = SwfReader.read(file, BadLinePolicy.STOP);
        assertEquals(100, log.maxProcs());
        assertTrue(log.notes().stream().anyMatch(n -> n.contains("MaxNodes")));
    }

    @Test
    void emptyAndTooShortTracesAreUserErrors() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.swf"), "");
        PredictorException e = assertThrows(PredictorException.class,
                () -> Traces.load(empty, Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.STOP));
        assertTrue(e.getMessage().contains("no job line"), e.getMessage());

        List<String> lines = Files.readAllLines(Excerpts.kth(), StandardCharsets.ISO_8859_1).subList(0, 19 + 4);
        Path shortLog = dir.resolve("short.swf");
        Files.write(shortLog, lines, StandardCharsets.ISO_8859_1);
        CapacitySeries series = Traces.load(shortLog, Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.STOP);
        PredictorException tooShort = assertThrows(PredictorException.class,
                () -> Trainer.train(series, Trainer.Config.defaults(), Trainer.Progress.NONE));
        assertTrue(tooShort.getMessage().contains("too short"), tooShort.getMessage());
    }
}
