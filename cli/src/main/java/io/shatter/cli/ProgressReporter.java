package io.shatter.cli;

import io.shatter.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Shows progress: a bar (the progressbar library) on a terminal, plain lines on stderr otherwise,
 * so that batch logs stay readable.
 */
final class ProgressReporter implements ProgressListener, AutoCloseable {
    private static final long PLAIN_LINE_EVERY_NANOS = 2_000_000_000L;

    private final String name;
    private final PrintStream plain;
    private ProgressBar bar;
    private final boolean terminal;
    private long lastLine;
    private int lastReported = -1;
    private final Path resumeFrom;
    private boolean first = true;

    /** {@code runDir}: where a journal may be resumed from (named when it is), or null. */
    ProgressReporter(String name, boolean enabled, PrintStream plain, Path runDir) {
        this.name = name;
        this.resumeFrom = runDir;
        this.plain = plain;
        this.terminal = enabled && System.console() != null;
        this.lastLine = System.nanoTime();
    }

    @Override
    public void onProgress(int completed, int total) {
        if (first) {
            first = false;
            // The broker replays its journal before it dispatches anything, so the first report is what was restored.
            if (completed > 0 && resumeFrom != null) {
                plain.printf("shatter: resuming the unfinished run in %s: %d of %d shards restored from its journal%n",
                        resumeFrom, completed, total);
            }
        }
        if (terminal) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" shards", 1).continuousUpdate().build();
            }
            bar.stepTo(completed);
            return;
        }
        long now = System.nanoTime();
        if (completed != lastReported && (now - lastLine >= PLAIN_LINE_EVERY_NANOS || completed == total)) {
            plain.printf("[%s] %d/%d shards committed (%d%%)%n", name, completed, total, total == 0 ? 100 : 100L * completed / total);
            lastLine = now;
            lastReported = completed;
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
