package io.shatter.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for a worker in a real Slurm job: on SIGTERM it spends {@code SAVE_MILLIS} "saving its
 * shards" (as a worker writing checkpoints would), records each stage in a file, and exits 0.
 * Arguments: the record file; anything after it is ignored (the worker options of the script).
 */
public final class TermProbe {
    static final long SAVE_MILLIS = 3000;

    private TermProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path record = Path.of(args[0]);
        CountDownLatch forever = new CountDownLatch(1);
        TerminationSignal.install(() -> {
            try {
                note(record, "term " + System.currentTimeMillis());
                Thread.sleep(SAVE_MILLIS);
                note(record, "saved " + System.currentTimeMillis());
            } catch (Exception e) {
                note(record, "failed " + e);
            }
            System.exit(0);
        });
        note(record, "ready " + System.currentTimeMillis() + " restart=" + System.getenv().getOrDefault("SLURM_RESTART_COUNT", "0"));
        forever.await();
    }

    private static void note(Path record, String line) {
        try {
            Files.writeString(record, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
