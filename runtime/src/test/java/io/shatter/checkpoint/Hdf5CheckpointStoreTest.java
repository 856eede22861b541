package io.shatter.checkpoint;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.shatter.checkpoint.CheckpointStore.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class Hdf5CheckpointStoreTest {

    private static final String GRAPH = "graph-fingerprint-1";
    private static final String SHARD = "range[0, 100)/chunk 3";

    @TempDir
    Path temp;

    private final List<String> warnings = new ArrayList<>();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1 << 20})
    void savedBytesComeBackUnchanged(int size) throws IOException {
        byte[] state = randomBytes(size, size);
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, SHARD, 3, 42, state);

            Checkpoint loaded = store.latest(GRAPH, SHARD).orElseThrow();
            assertArrayEquals(state, loaded.state());
            assertEquals(SHARD, loaded.shardId());
            assertEquals(3, loaded.attempt());
            assertEquals(42, loaded.step());
        }
    }

    /** A fresh run's one-pass discard removes exactly the named shards of its own graph. */
    @Test
    void discardAllRemovesOnlyTheNamedShardsOfTheGraph() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            byte[] state = {1, 2, 3};
            for (String shard : List.of("a", "b", "c")) {
                store.save("graph-1", shard, 1, 1, state);
                store.save("graph-1", shard, 1, 2, state);
            }
            store.save("graph-2", "a", 1, 1, state);

            store.discardAll("graph-1", List.of("a", "b"));

            assertTrue(store.latest("graph-1", "a").isEmpty());
            assertTrue(store.latest("graph-1", "b").isEmpty());
            assertEquals(2, store.latest("graph-1", "c").orElseThrow().step());
            assertEquals(1, store.latest("graph-2", "a").orElseThrow().step());
        }
    }

    @Test
    void latestIsTheNewestSaveAndSurvivesReopening() throws IOException {
        byte[] newest = randomBytes(1000, 2);
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, SHARD, 1, 10, randomBytes(1000, 1));
            store.save(GRAPH, SHARD, 2, 5, newest); // a later attempt may restart from fewer steps
        }
        try (Hdf5CheckpointStore reopened = new Hdf5CheckpointStore(temp)) {
            Checkpoint loaded = reopened.latest(GRAPH, SHARD).orElseThrow();
            assertArrayEquals(newest, loaded.state());
            assertEquals(2, loaded.attempt());
            assertEquals(5, loaded.step());

            byte[] afterRestart = randomBytes(10, 3);
            reopened.save(GRAPH, SHARD, 3, 6, afterRestart);
            assertArrayEquals(afterRestart, reopened.latest(GRAPH, SHARD).orElseThrow().state());
        }
    }

    @Test
    void noCheckpointGivesEmpty() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            assertEquals(Optional.empty(), store.latest(GRAPH, SHARD));
        }
    }

    @Test
    void shardsAndGraphsDoNotSeeEachOthersCheckpoints() throws IOException {
        // Same characters once unsafe ones are replaced in the readable part of the file name.
        List<String> shards = List.of("a/b", "a b", "a_b", "a[b", "шард/1", ".", "..");
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            for (int i = 0; i < shards.size(); i++) {
                store.save(GRAPH, shards.get(i), 1, i, new byte[] {(byte) i});
                store.save("another-graph", shards.get(i), 1, 100 + i, new byte[] {(byte) (100 + i)});
            }
            for (int i = 0; i < shards.size(); i++) {
                Checkpoint loaded = store.latest(GRAPH, shards.get(i)).orElseThrow();
                assertEquals(shards.get(i), loaded.shardId());
                assertArrayEquals(new byte[] {(byte) i}, loaded.state());
                assertEquals(100 + i, store.latest("another-graph", shards.get(i)).orElseThrow().step());
            }
        }
        for (String name : fileNames()) {
            assertTrue(name.matches("[A-Za-z0-9._-]+"), name + " holds characters that are not safe in file names");
        }
    }

    @Test
    void keepsOnlyTheTwoNewestCheckpointsOfAShard() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, "other", 1, 1, new byte[] {9});
            for (int step = 1; step <= 5; step++) {
                store.save(GRAPH, SHARD, 1, step, new byte[] {(byte) step});
            }
            List<Path> files = checkpointFiles();
            assertEquals(3, files.size(), "two of " + SHARD + " and one of 'other': " + files);
            // The two newest sequence numbers (4 and 5) are the ones kept.
            assertEquals(2, files.stream().filter(f -> f.getFileName().toString().matches(".*\\.000000000000000000[45]\\.h5")).count());
            assertEquals(5, store.latest(GRAPH, SHARD).orElseThrow().step());
            assertEquals(1, store.latest(GRAPH, "other").orElseThrow().step());
        }
    }

    @Test
    void bytesWrittenCountsTheFilesWritten() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[1000]);
            store.save(GRAPH, "other", 1, 1, new byte[5000]);
            long onDisk = 0;
            for (Path file : checkpointFiles()) {
                onDisk += Files.size(file);
            }
            assertEquals(onDisk, store.bytesWritten());
            assertTrue(onDisk > 6000);
        }
    }

    @Test
    void discardDeletesOnlyThatShardsFiles() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            store.save(GRAPH, SHARD, 1, 2, new byte[] {2});
            store.save(GRAPH, "other", 1, 1, new byte[] {3});

            store.discard(GRAPH, SHARD);

            assertEquals(Optional.empty(), store.latest(GRAPH, SHARD));
            assertEquals(1, checkpointFiles().size());
            assertEquals(1, store.latest(GRAPH, "other").orElseThrow().step());
        }
    }

    @Test
    void corruptByteInTheStateIsRejectedAndThePreviousCheckpointUsed() throws IOException {
        byte[] previous = randomBytes(1 << 20, 1);
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, previous);
            store.save(GRAPH, SHARD, 1, 2, randomBytes(1 << 20, 2));
            Path newest = newestCheckpointFile();
            long middle = Files.size(newest) / 2;
            byte original = readByte(newest, middle);
            writeByte(newest, middle, (byte) ~original);

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            Checkpoint loaded = latest.orElseThrow();
            assertEquals(1, loaded.step());
            assertArrayEquals(previous, loaded.state());
            assertWarned(newest, "checksum mismatch");
            assertFalse(Files.exists(newest));
            assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".rejected")));
        }
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, randomBytes(4096, 1));
            store.save(GRAPH, SHARD, 1, 2, randomBytes(4096, 2));
            Path newest = newestCheckpointFile();
            try (FileChannel file = FileChannel.open(newest, StandardOpenOption.WRITE)) {
                file.truncate(file.size() / 2);
            }

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            assertEquals(1, latest.orElseThrow().step());
            assertWarned(newest, "truncated");
        }
    }

    @Test
    void fileOfRandomBytesIsRejected() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            Path foreign = nextCheckpointName(newestCheckpointFile());
            Files.write(foreign, randomBytes(10_000, 7));

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            assertEquals(1, latest.orElseThrow().step());
            assertWarned(foreign, "not an HDF5 file");
        }
    }

    @Test
    void checkpointOfAnotherGraphIsRejected() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            Path ours = newestCheckpointFile();
            store.save("another-graph", SHARD, 1, 99, new byte[] {2});
            Path theirs = checkpointFiles().stream().filter(f -> !f.equals(ours)).findFirst().orElseThrow();
            Path disguised = nextCheckpointName(ours);
            Files.move(theirs, disguised);

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            assertEquals(1, latest.orElseThrow().step());
            assertWarned(disguised, "belongs to graph 'another-graph'");
        }
    }

    @Test
    void hdf5FileWithoutTheCheckpointAttributesIsRejected() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            Path plain = nextCheckpointName(newestCheckpointFile());
            try (WritableHdfFile file = HdfFile.write(plain)) {
                file.putDataset("data", new int[] {1, 2, 3});
            }
            Path withoutStep = nextCheckpointName(plain);
            try (WritableHdfFile file = HdfFile.write(withoutStep)) {
                file.putAttribute("format", "shatter-checkpoint");
                file.putAttribute("format_version", Hdf5CheckpointStore.FORMAT_VERSION);
                WritableGroup attempt = file.putGroup("shard").putGroup("x").putGroup("attempt").putGroup("1");
                attempt.putAttribute("graph_id", GRAPH);
                attempt.putAttribute("shard_id", SHARD);
                attempt.putAttribute("attempt", 1);
                attempt.putDataset("state", new byte[] {5});
            }

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            assertEquals(1, latest.orElseThrow().step());
            assertWarned(plain, "not a Shatter checkpoint");
            assertWarned(withoutStep, "attribute 'step' of /shard/x/attempt/1 is missing");
        }
    }

    @Test
    void allCheckpointsBadGivesEmpty() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            Files.write(newestCheckpointFile(), new byte[] {1, 2, 3});

            Optional<Checkpoint> latest = store.latest(GRAPH, SHARD);

            assertEquals(Optional.empty(), latest);
        }
    }

    @Test
    void rejectedFilesDoNotCountAmongTheTwoKept() throws IOException {
        try (Hdf5CheckpointStore store = openStore()) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            store.save(GRAPH, SHARD, 1, 2, new byte[] {2});
            Files.write(newestCheckpointFile(), new byte[] {0});
            store.latest(GRAPH, SHARD);

            store.save(GRAPH, SHARD, 1, 3, new byte[] {3});
            Files.write(newestCheckpointFile(), new byte[] {0});

            assertEquals(1, store.latest(GRAPH, SHARD).orElseThrow().step());
        }
    }

    @Test
    void missingDirectoryIsCreated() throws IOException {
        Path nested = temp.resolve("a/b/checkpoints");
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(nested)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
        }
        assertTrue(Files.isDirectory(nested));
    }

    @Test
    void directoryUnderARegularFileIsRefusedWithAClearMessage() throws IOException {
        Path regularFile = Files.writeString(temp.resolve("not-a-directory"), "x");
        Path directory = regularFile.resolve("checkpoints");

        IOException refused = assertThrows(IOException.class, () -> new Hdf5CheckpointStore(directory));

        assertTrue(refused.getMessage().contains(directory.toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains(regularFile + " exists but is not a directory"), refused.getMessage());
        assertTrue(refused.getMessage().contains("Point the checkpoint directory to a directory you can write"), refused.getMessage());
    }

    @Test
    void readOnlyDirectoryIsRefusedWithAClearMessage() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("read-only"));
        assumeTrue(directory.toFile().setWritable(false, false), "cannot remove write permission here");
        try {
            assumeTrue(!Files.isWritable(directory), "permissions do not stop this user (root): nothing to test");

            IOException refused = assertThrows(IOException.class, () -> new Hdf5CheckpointStore(directory));

            assertTrue(refused.getMessage().contains("Cannot write to checkpoint directory " + directory), refused.getMessage());
        } finally {
            directory.toFile().setWritable(true, true);
        }
    }

    @Test
    void fullDiskFailsTheSaveClearlyAndKeepsThePreviousCheckpoint() throws IOException {
        long[] usable = {Long.MAX_VALUE};
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp, Clock.systemUTC(), dir -> usable[0], warnings::add)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
            usable[0] = 1000;

            IOException failed = assertThrows(IOException.class, () -> store.save(GRAPH, SHARD, 1, 2, new byte[100_000]));

            assertTrue(failed.getMessage().contains("the disk is full"), failed.getMessage());
            assertTrue(failed.getMessage().contains(temp.toString()), failed.getMessage());
            assertTrue(failed.getMessage().contains("The previous checkpoint is kept"), failed.getMessage());
            assertEquals(1, store.latest(GRAPH, SHARD).orElseThrow().step());
            assertEquals(List.of(newestCheckpointFile()), listAll());
        }
    }

    @Test
    void writeFailingHalfwayRemovesTheTemporaryFileAndKeepsThePreviousCheckpoint() throws Exception {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isExecutable(bash), "needs bash to limit the child's file size with ulimit -f");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The kernel fails writes past 1 MiB with EFBIG in the child (the JVM ignores SIGXFSZ):
        // a real write error halfway through a file, as a full disk gives.
        Process child = new ProcessBuilder(bash.toString(), "-c", "ulimit -f 1024 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
            java.toString(), System.getProperty("java.class.path"), SaveUnderFileSizeLimit.class.getName(), temp.toString())
            .redirectErrorStream(true)
            .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));

        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains(SaveUnderFileSizeLimit.FAILED + "Could not save the checkpoint of shard 'big'"), output);
        assertTrue(output.contains("the file size limit was reached"), output);
        assertTrue(output.contains("The previous checkpoint is kept"), output);
        assertEquals(1, listAll().size(), "only the first checkpoint, no temporary file: " + listAll());
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            assertArrayEquals(SaveUnderFileSizeLimit.SMALL_STATE, store.latest(GRAPH, "big").orElseThrow().state());
        }
    }

    @Test
    void temporaryFileLeftByACrashIsDeletedOnOpen() throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
        }
        Path finalName = nextCheckpointName(newestCheckpointFile());
        Path leftOver = finalName.resolveSibling("." + finalName.getFileName() + ".tmp");
        Files.write(leftOver, new byte[100]);
        Path unrelated = Files.writeString(temp.resolve(".someone-elses.tmp"), "x");

        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp)) {
            assertFalse(Files.exists(leftOver));
            assertTrue(Files.exists(unrelated));
            assertEquals(1, store.latest(GRAPH, SHARD).orElseThrow().step());
        }
    }

    @Test
    void timeAttributeIsTheClocksTime() throws IOException {
        Instant now = Instant.parse("2025-03-04T05:06:07.123Z");
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(temp, Clock.fixed(now, ZoneOffset.UTC),
            dir -> Long.MAX_VALUE, warnings::add)) {
            store.save(GRAPH, SHARD, 1, 1, new byte[] {1});
        }
        try (HdfFile file = new HdfFile(newestCheckpointFile())) {
            String attemptPath = "/shard/" + Hdf5CheckpointStore.groupName(SHARD) + "/attempt/1";
            assertEquals("2025-03-04T05:06:07.123Z", file.getByPath(attemptPath).getAttribute("time").getData());
        }
    }

    @Test
    void groupNamesArePercentEncoded() {
        assertEquals("range%5B0%2C%20100%29%2Fchunk%203", Hdf5CheckpointStore.groupName("range[0, 100)/chunk 3"));
        assertEquals("a.b-c_d~e", Hdf5CheckpointStore.groupName("a.b-c_d~e"));
        assertEquals("%2E%2E", Hdf5CheckpointStore.groupName(".."));
        assertEquals("%D1%88", Hdf5CheckpointStore.groupName("ш"));
    }

    // ---- helpers ----

    /** A store whose warnings go to {@link #warnings}, on a disk that never fills. */
    private Hdf5CheckpointStore openStore() throws IOException {
        return new Hdf5CheckpointStore(temp, Clock.systemUTC(), dir -> Long.MAX_VALUE, warnings::add);
    }

    private void assertWarned(Path file, String problem) {
        assertTrue(warnings.stream().anyMatch(warning -> warning.startsWith("Rejected checkpoint file " + file + " ")
                && warning.contains(problem)),
            () -> "expected a warning naming " + file + " and '" + problem + "', got " + warnings);
    }

    private List<Path> listAll() throws IOException {
        try (Stream<Path> files = Files.list(temp)) {
            return files.sorted().toList();
        }
    }

    private List<Path> checkpointFiles() throws IOException {
        return listAll().stream().filter(f -> f.getFileName().toString().endsWith(".h5")).toList();
    }

    private List<String> fileNames() throws IOException {
        return listAll().stream().map(f -> f.getFileName().toString()).toList();
    }

    /** With a single shard in the directory, names sort by sequence number. */
    private Path newestCheckpointFile() throws IOException {
        List<Path> files = checkpointFiles();
        return files.get(files.size() - 1);
    }

    /** The name the store would give to the next checkpoint after {@code file}. */
    private static Path nextCheckpointName(Path file) {
        String name = file.getFileName().toString();
        int sequenceStart = name.length() - ".h5".length() - 19;
        long sequence = Long.parseLong(name.substring(sequenceStart, name.length() - ".h5".length()));
        return file.resolveSibling(name.substring(0, sequenceStart) + String.format("%019d", sequence + 1) + ".h5");
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte readByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            return one.get(0);
        }
    }

    private static void writeByte(Path file, long position, byte value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {value}), position);
        }
    }
}
