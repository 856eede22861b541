package io.shatter.decompose;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A growing program killed with SIGKILL in the middle of an epoch, then started again with the same
 * directories: finished epochs come from the epoch directory, the killed one resumes from its
 * journal, and the awaited residuals and the solution are the sequential program's.
 */
class GrowingGraphKillTest {
    @TempDir
    Path dir;

    private Process start(String log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), GrowingJacobi.class.getName(), dir.resolve("run").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    @Test
    void killedInTheMiddleOfAnEpochItResumesWithTheSameAwaitedValues() throws Exception {
        Process first = start("first.log");
        Path killedJournal = dir.resolve("run/epoch-2/journal.bin");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (commits(killedJournal) < 2) {
            if (!first.isAlive() || System.nanoTime() > deadline) {
                first.destroyForcibly();
                fail("the program ended or stalled before epoch 2 had two commits: " + Files.readString(dir.resolve("first.log")));
            }
            first.waitFor(5, TimeUnit.MILLISECONDS);
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(dir.resolve("run/epochs/epoch-2.values")), "killed before epoch 2 finished");

        Process second = start("second.log");
        assertTrue(second.waitFor(180, TimeUnit.SECONDS), "the second run did not finish");
        String log = Files.readString(dir.resolve("second.log"));
        assertEquals(0, second.exitValue(), log);
        List<String> ran = log.lines().filter(l -> l.startsWith("ran epoch")).toList();
        assertTrue(ran.get(0).startsWith("ran epoch 2 resumed "), "epochs 0 and 1 came from the epoch directory: " + log);
        assertTrue(Integer.parseInt(ran.get(0).substring("ran epoch 2 resumed ".length())) >= 2, "the killed epoch resumed its journal: " + log);

        double[] x = new double[GrowingJacobi.N];
        List<Double> residuals = GrowingJacobi.solve(null, x);
        assertTrue(residuals.size() > 3, "several epochs: " + residuals);
        assertTrue(log.contains("residuals " + residuals), log + "\nexpected " + residuals);
        assertTrue(log.contains("solution " + GrowingJacobi.bits(x)), log);
    }

    /** Commit records in a broker journal (the format in runtime's Journal: magic, version, then [length][crc of length][crc][payload] frames, the first the header). */
    private static int commits(Path journal) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(journal);
        } catch (NoSuchFileException e) {
            return 0;
        }
        int commits = 0;
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            in.skipNBytes(12);
            boolean header = true;
            while (in.available() >= 12) {
                int length = in.readInt();
                in.readInt(); // the length's checksum
                in.readInt(); // the payload's checksum
                if (length < 0 || length > in.available()) {
                    break;
                }
                byte[] payload = in.readNBytes(length);
                if (!header && length > 0 && payload[0] == 1) {
                    commits++;
                }
                header = false;
            }
        } catch (java.io.EOFException e) {
            return commits;
        }
        return commits;
    }
}
