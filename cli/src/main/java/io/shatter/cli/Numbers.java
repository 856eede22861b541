package io.shatter.cli;

import picocli.CommandLine;

/**
 * Converters that check a whole-number option while the command line is parsed, so that a bad
 * value is refused before anything runs, and picocli's message names the option:
 * {@code Invalid value for option '--steps': '-1' is not a whole number of at least 1}.
 */
public final class Numbers {
    /** More local ranks than this are threads no machine runs well; larger runs use mpirun. */
    public static final int MAX_LOCAL_RANKS = 1024;
    /** Cores per rank, per task or per worker: more is a typo (no node has them). */
    public static final int MAX_CORES = 4096;

    private Numbers() {
    }

    static int parse(String text, int min, int max, String what) {
        int value;
        try {
            value = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + Texts.clip(text) + "' is not " + what);
        }
        if (value < min || value > max) {
            throw new CommandLine.TypeConversionException("'" + text.strip() + "' is not " + what);
        }
        return value;
    }

    /** A whole number of at least 1. */
    public static final class Positive implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, 1, Integer.MAX_VALUE, "a whole number of at least 1");
        }
    }

    /** A whole number of at least 0. */
    public static final class NonNegative implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, 0, Integer.MAX_VALUE, "a whole number of at least 0");
        }
    }

    /** A count of ranks: 1 to {@link #MAX_LOCAL_RANKS}. */
    public static final class Ranks implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, 1, MAX_LOCAL_RANKS, "a whole number from 1 to " + MAX_LOCAL_RANKS
                    + " (local ranks are threads of one JVM; for more, start the ranks with mpirun)");
        }
    }

    /** A count of ranks of one class: 0 to {@link #MAX_LOCAL_RANKS}. */
    public static final class RankCount implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, 0, MAX_LOCAL_RANKS, "a whole number from 0 to " + MAX_LOCAL_RANKS);
        }
    }

    /** Cores: 1 to {@link #MAX_CORES}. */
    public static final class Cores implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return parse(text, 1, MAX_CORES, "a whole number from 1 to " + MAX_CORES);
        }
    }
}
