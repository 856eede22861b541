package io.shatter.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capacity histories written from a real log's series read back to the same series. */
class CapacityHistoryReaderTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    @TempDir
    Path dir;

    private static CapacitySeries kth() {
        return SwfCapacity.series(SwfReader.read(Excerpts.kth(), BadLinePolicy.STOP), 300);
    }

    /** Writes the series as a monitor would: every {@code every} seconds, interleaved with another partition. */
    private Path writeHistory(CapacitySeries s, int every, String name) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(CapacityHistoryReader.HEADER);
        lines.add("# written by the test from the KTH excerpt");
        for (long t = s.startEpochSeconds(); t < s.epochSecondsAt(s.length()); t += every) {
            int k = (int) ((t - s.startEpochSeconds()) / s.stepSeconds());
            lines.add(t + ",batch," + s.totalCores() + "," + s.idle()[k] + "," + s.pending()[k]);
            lines.add(t + ",debug,8,8,0");
        }
        return Files.write(dir.resolve(name), lines);
    }

    @Test
    void resamplesMonitorSamplesOntoTheStep() throws IOException {
        CapacitySeries s = kth();
        Path file = writeHistory(s, 60, "history.csv");
        CapacitySeries read = CapacityHistoryReader.read(file, "batch", 300, UTC, BadLinePolicy.STOP);
        assertEquals(s.totalCores(), read.totalCores());
        assertFalse(read.hasQueue());
        // The log starts 31 s after a 5-minute boundary, so the history's step k (at boundary k) last saw
        // the log's step k-1: the resampled series is the log's, one step late.
        assertEquals(843480000L, read.startEpochSeconds());
        int[] expected = Arrays.copyOfRange(s.idle(), 0, read.length() - 1);
        assertArrayEquals(expected, Arrays.copyOfRange(read.idle(), 1, read.length()));
        assertEquals(s.pending()[99], read.pending()[100]);
    }

    @Test
    void readsTheOtherPartitionAndAsksWhenAmbiguous() throws IOException {
        Path file = writeHistory(kth(), 300, "history.csv");
        CapacitySeries debug = CapacityHistoryReader.read(file, "debug", 300, UTC, BadLinePolicy.STOP);
        assertEquals(8, debug.totalCores());
        PredictorException e = assertThrows(PredictorException.class,
                () -> CapacityHistoryReader.read(file, null, 300, UTC, BadLinePolicy.STOP));
        assertTrue(e.getMessage().contains("--partition"), e.getMessage());
    }

    @Test
    void badHeaderAndBadLinesAreReported() throws IOException {
        Path noHeader = Files.writeString(dir.resolve("x.csv"), "time,idle\n1,2\n");
        PredictorException header = assertThrows(PredictorException.class,
                () -> CapacityHistoryReader.read(noHeader, null, 300, UTC, BadLinePolicy.STOP));
        assertTrue(header.getMessage().contains("first line must be"), header.getMessage());

        Path bad = Files.writeString(dir.resolve("bad.csv"), CapacityHistoryReader.HEADER + "\n"
                + "1000,p,10,5,0\n1300,p,10,eleven,0\n1600,p,10,12,0\n1900,p,10,4,1\n");
        PredictorException stop = assertThrows(PredictorException.class,
                () -> CapacityHistoryReader.read(bad, null, 300, UTC, BadLinePolicy.STOP));
        assertTrue(stop.getMessage().startsWith("Line 3 of bad.csv"), stop.getMessage());
        CapacitySeries skipped = CapacityHistoryReader.read(bad, null, 300, UTC, BadLinePolicy.SKIP);
        // Steps at 900..2100: 1300 and 1600 skipped, so 1000's value is carried until 1900's.
        assertArrayEquals(new int[] {5, 5, 5, 5, 4}, skipped.idle());
        assertTrue(skipped.notes().get(0).contains("2 malformed"), skipped.notes().toString());
    }

    @Test
    void autoDetectsCsvByContent() throws IOException {
        Path file = writeHistory(kth(), 300, "history.txt");
        CapacitySeries s = Traces.load(file, Traces.Format.AUTO, "batch", 300, UTC, BadLinePolicy.STOP);
        assertEquals("batch", s.partition());
    }
}
