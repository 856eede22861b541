package io.shatter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The broker's VmRSS from /proc, sampled every 20 ms; the peak is kept. */
final class RssSampler implements Runnable {
    private final Path status;
    private volatile boolean running = true;
    private volatile long peak;

    RssSampler(long pid) {
        this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    long sampleNow() throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                peak = Math.max(peak, kb);
                return kb;
            }
        }
        throw new IOException("no VmRSS in " + status);
    }

    long peak() {
        return peak;
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try {
                sampleNow();
                Thread.sleep(20); // a sampling period, not a wait for an event
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }
}
