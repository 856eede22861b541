package io.shatter.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Run in a child JVM under {@code ulimit -f 1024} by {@link Hdf5CheckpointStoreTest}: saves a
 * small checkpoint, then one too big for the limit, and prints how the second save failed.
 */
public final class SaveUnderFileSizeLimit {
    static final String FAILED = "save failed: ";
    static final byte[] SMALL_STATE = {1, 2, 3, 4};

    private SaveUnderFileSizeLimit() {
    }

    /**
     * Saves into the directory given as the only argument.
     *
     * @param args the checkpoint directory
     */
    public static void main(String[] args) throws IOException {
        try (Hdf5CheckpointStore store = new Hdf5CheckpointStore(Path.of(args[0]))) {
            store.save("graph-fingerprint-1", "big", 1, 1, SMALL_STATE);
            try {
                store.save("graph-fingerprint-1", "big", 1, 2, new byte[4 << 20]);
                System.out.println("save unexpectedly succeeded");
            } catch (IOException e) {
                System.out.println(FAILED + e.getMessage());
            }
        }
    }
}
