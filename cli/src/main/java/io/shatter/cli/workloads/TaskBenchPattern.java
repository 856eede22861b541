package io.shatter.cli.workloads;

import java.util.Arrays;
import java.util.Locale;

/**
 * Task Bench's dependence patterns (Slaughter et al., SC20), as its reference implementation
 * ({@code core/core.cc}: {@code width_at_timestep}, {@code offset_at_timestep},
 * {@code dependencies}) defines them: a graph of {@code width} points over {@code steps} time steps,
 * in which point {@code p} of step {@code t} reads points of step {@code t - 1}, clipped to the
 * points that step has. The same object shapes Shatter's graph, the plain-threads baseline and the
 * sequential check, so they cannot disagree about an edge.
 *
 * @param type   the pattern
 * @param width  the widest step's point count
 * @param steps  time steps
 * @param radix  {@code nearest}'s neighbourhood (points read per task); ignored by the others
 */
public record TaskBenchPattern(Type type, int width, int steps, int radix) {

    /** The patterns, named as Task Bench's {@code -type} option names them. */
    public enum Type {
        TRIVIAL, NO_COMM, STENCIL_1D, STENCIL_1D_PERIODIC, DOM, TREE, FFT, ALL_TO_ALL, NEAREST;

        /** The name on the command line ({@code stencil_1d}). */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks the shape; the message names the option to change. */
    public TaskBenchPattern {
        if (width < 1 || steps < 1) {
            throw new IllegalArgumentException("--width and --steps must be at least 1, got " + width + " and " + steps);
        }
        if (type == Type.FFT && width < 2) {
            throw new IllegalArgumentException("--type fft needs --width of at least 2 (its log2(width) dependence sets), got " + width);
        }
        if (type == Type.NEAREST && radix < 1) {
            throw new IllegalArgumentException("--type nearest needs --radix of at least 1 (points each task reads), got " + radix);
        }
    }

    /** Points step {@code t} has (0 before the first step). */
    public int widthAt(int t) {
        if (t < 0) {
            return 0;
        }
        return switch (type) {
            case DOM -> Math.min(width, Math.min(t + 1, steps - t));
            case TREE -> (int) Math.min(width, 1L << Math.min(t, 62));
            default -> width;
        };
    }

    /** The first point of step {@code t}: its points are {@code offsetAt(t) .. offsetAt(t) + widthAt(t) - 1}. */
    public int offsetAt(int t) {
        return t >= 0 && type == Type.DOM ? Math.max(0, t + width - steps) : 0;
    }

    /** Whether step {@code t} has point {@code p}. */
    public boolean has(int t, int p) {
        int offset = offsetAt(t);
        return p >= offset && p < offset + widthAt(t);
    }

    /** {@code fft}'s number of dependence sets, ceil(log2 width). */
    int fftSets() {
        return 32 - Integer.numberOfLeadingZeros(width - 1);
    }

    /**
     * The points of step {@code t - 1} that point {@code p} of step {@code t} reads, ascending and
     * each once (an interval the pattern lists twice, as {@code stencil_1d_periodic} does on two
     * points, is one edge).
     */
    public int[] dependencies(int t, int p) {
        if (t == 0) {
            return new int[0];
        }
        int[] raw = switch (type) {
            case TRIVIAL -> new int[0];
            case NO_COMM -> new int[] {p};
            case STENCIL_1D -> range(Math.max(0, p - 1), Math.min(width - 1, p + 1));
            case STENCIL_1D_PERIODIC -> {
                int[] near = range(Math.max(0, p - 1), Math.min(width - 1, p + 1));
                int wrap = p == 0 ? width - 1 : p == width - 1 ? 0 : -1;
                yield wrap < 0 ? near : append(near, wrap);
            }
            case DOM -> range(Math.max(0, p - 1), p);
            case TREE -> new int[] {p / 2};
            case FFT -> {
                int sets = fftSets();
                int s = (t + sets - 1) % sets;
                long below = p - (1L << s);
                long above = p + (1L << s);
                int[] d = below >= 0 ? new int[] {(int) below, p} : new int[] {p};
                yield above < width ? append(d, (int) above) : d;
            }
            case ALL_TO_ALL -> range(0, width - 1);
            case NEAREST -> range(Math.max(0, p - radix / 2), Math.min(width - 1, p + (radix - 1) / 2));
        };
        return Arrays.stream(raw).filter(d -> has(t - 1, d)).sorted().distinct().toArray();
    }

    /** Tasks in the whole graph. */
    /** The figures that name a run of this graph in a {@code taskbench:} report line, in report order. */
    public java.util.Map<String, Object> reportFigures(String system, int iterations, int outputBytes) {
        java.util.Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("system", system);
        figures.put("type", type.cliName());
        figures.put("width", width);
        figures.put("steps", steps);
        figures.put("radix", radix);
        figures.put("iterations", iterations);
        figures.put("output_bytes", outputBytes);
        figures.put("tasks", taskCount());
        return figures;
    }

    public long taskCount() {
        long n = 0;
        for (int t = 0; t < steps; t++) {
            n += widthAt(t);
        }
        return n;
    }

    private static int[] range(int from, int to) {
        if (to < from) {
            return new int[0];
        }
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
