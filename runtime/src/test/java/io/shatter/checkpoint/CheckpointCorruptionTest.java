package io.shatter.checkpoint;

import io.shatter.checkpoint.CheckpointStore.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every single-byte change and every truncation of a checkpoint file is either detected (the file
 * is set aside with a warning naming it and the previous checkpoint is used) or harmless (the very
 * same checkpoint comes back): never an exception out of the store, never altered data accepted.
 */
class CheckpointCorruptionTest {
    private static final String GRAPH = "graph-fingerprint-1";
    private static final String SHARD = "heat[2,3]@step";

    @TempDir
    Path temp;

    private final List<String> warnings = new ArrayList<>();

    /** The reproduction: byte 9 of the newest checkpoint flipped (jhdf: "Couldn't read 247 bytes as int"). */
    @Test
    void flippedHeaderByteIsRejectedNamingTheFileAndThePreviousCheckpointIsUsed() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1, 2, 3});
            store.save(GRAPH, SHARD, 1, 2, new byte[] {4, 5, 6});
            Path newest = newestFile();
            byte[] bytes = Files.readAllBytes(newest);
            bytes[9] ^= (byte) 0xFF;
            Files.write(newest, bytes);

            Checkpoint loaded = store.latest(GRAPH, SHARD).orElseThrow();

            assertEquals(1, loaded.step());
            assertTrue(warnings.stream().anyMatch(w -> w.contains(newest.toString()) && w.contains(".rejected")), warnings::toString);
            assertFalse(Files.exists(newest));
            assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".rejected")));
        }
    }

    /** What one corrupted copy of the newest checkpoint led to. */
    enum Outcome { DETECTED, HARMLESS, SILENTLY_ALTERED, ESCAPED }

    /** Counts of outcomes over a set of corruptions. */
    record Tally(int detected, int harmless, int silentlyAltered, int escaped) {
        Tally plus(Outcome o) {
            return new Tally(detected + (o == Outcome.DETECTED ? 1 : 0), harmless + (o == Outcome.HARMLESS ? 1 : 0),
                    silentlyAltered + (o == Outcome.SILENTLY_ALTERED ? 1 : 0), escaped + (o == Outcome.ESCAPED ? 1 : 0));
        }

        int total() {
            return detected + harmless + silentlyAltered + escaped;
        }
    }

    @Test
    void everySingleByteFlipAndEveryTruncationIsDetectedOrHarmless() throws IOException {
        byte[] previousState = randomBytes(300, 1);
        byte[] newestState = randomBytes(300, 2);
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 3, 40, previousState);
            store.save(GRAPH, SHARD, 4, 41, newestState);
            Path newest = newestFile();
            byte[] original = Files.readAllBytes(newest);
            Checkpoint expected = new Checkpoint(SHARD, 4, 41, newestState);

            // The normal suite flips every byte one way and truncates at every 8th length (about 4 s);
            // -Dshatter.fuzz.full=true three ways and at every length (the figures in the closing report).
            boolean full = Boolean.getBoolean("shatter.fuzz.full");
            int[] masks = full ? new int[] {0xFF, 0x01, 0x80} : new int[] {0xFF}; // every bit, the lowest, the highest
            Tally flips = new Tally(0, 0, 0, 0);
            for (int at = 0; at < original.length; at++) {
                for (int mask : masks) {
                    byte[] corrupted = original.clone();
                    corrupted[at] ^= (byte) mask;
                    flips = flips.plus(outcome(store, newest, corrupted, expected, previousState));
                }
            }
            Tally truncations = new Tally(0, 0, 0, 0);
            for (int length = 0; length < original.length; length += full ? 1 : 8) {
                truncations = truncations.plus(outcome(store, newest, Arrays.copyOf(original, length), expected, previousState));
            }
            System.out.println("checkpoint of " + original.length + " bytes: " + flips.total() + " byte flips " + flips + "; "
                    + truncations.total() + " truncations " + truncations);
            assertEquals(0, flips.escaped() + flips.silentlyAltered(), "flips: " + flips);
            assertEquals(0, truncations.escaped() + truncations.silentlyAltered(), "truncations: " + truncations);
            assertEquals(truncations.total(), truncations.detected(), "every truncation is detected");
        }
    }

    private Outcome outcome(Hdf5CheckpointStore store, Path newest, byte[] corrupted, Checkpoint expected, byte[] previousState)
            throws IOException {
        Files.write(newest, corrupted);
        Path rejected = newest.resolveSibling(newest.getFileName() + ".rejected");
        warnings.clear();
        try {
            Optional<Checkpoint> loaded = store.latest(GRAPH, SHARD);
            if (loaded.isPresent() && same(loaded.get(), expected)) {
                return Files.exists(rejected) ? Outcome.SILENTLY_ALTERED : Outcome.HARMLESS;
            }
            boolean previous = loaded.isPresent() && loaded.get().step() == 40 && Arrays.equals(previousState, loaded.get().state());
            boolean setAside = Files.exists(rejected) && !Files.exists(newest) && warnings.stream().anyMatch(w -> w.contains(newest.toString()));
            return previous && setAside ? Outcome.DETECTED : Outcome.SILENTLY_ALTERED;
        } catch (RuntimeException | IOException | Error e) {
            System.out.println("escaped: " + corrupted.length + " bytes: " + e);
            return Outcome.ESCAPED;
        } finally {
            Files.deleteIfExists(rejected);
        }
    }

    private static boolean same(Checkpoint a, Checkpoint b) {
        return a.shardId().equals(b.shardId()) && a.attempt() == b.attempt() && a.step() == b.step() && Arrays.equals(a.state(), b.state());
    }

    private Hdf5CheckpointStore openStore() throws IOException {
        return new Hdf5CheckpointStore(temp, Clock.systemUTC(), dir -> Long.MAX_VALUE, warnings::add);
    }

    private Path newestFile() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".h5")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
