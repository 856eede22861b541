package io.shatter.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations the way people write them on a command line: {@code 50ms}, {@code 2s}, {@code 1.5m}, {@code 250us}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration; write a number and a unit, e.g. 50ms, 2s, 1m (units: ns, us, ms, s, m, h)");
        }
        double value = Double.parseDouble(m.group(1));
        double nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        long nanos = Math.round(value * nanosPerUnit);
        if (nanos <= 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' must be longer than zero");
        }
        return Duration.ofNanos(nanos);
    }
}
