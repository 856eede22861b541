package io.shatter.cli;

import io.shatter.simulator.Simulation;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/** Progress of a simulation: shards committed, with the simulated clock beside them; plain lines when not on a terminal. */
final class SimulationProgress implements Simulation.Progress, AutoCloseable {
    private static final long PLAIN_LINE_EVERY_NANOS = 2_000_000_000L;

    private final String name;
    private final boolean enabled;
    private final boolean terminal;
    private final PrintStream plain;
    private ProgressBar bar;
    private long lastLine = System.nanoTime();

    SimulationProgress(String name, boolean enabled, PrintStream plain) {
        this.name = name;
        this.enabled = enabled;
        this.terminal = enabled && System.console() != null;
        this.plain = plain;
    }

    @Override
    public void onProgress(int committed, int total, long simulatedNanos) {
        if (!enabled) {
            return;
        }
        String clock = String.format(Locale.ROOT, "simulated %s", hms(simulatedNanos));
        if (terminal) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" shards", 1).continuousUpdate().build();
            }
            bar.stepTo(committed);
            bar.setExtraMessage(clock);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine >= PLAIN_LINE_EVERY_NANOS) {
            plain.printf(Locale.ROOT, "[%s] %d/%d shards committed, %s%n", name, committed, total, clock);
            lastLine = now;
        }
    }

    private static String hms(long nanos) {
        long s = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
