package io.shatter.cli.predictor;

import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Traces;
import java.nio.file.Path;
import java.time.ZoneId;
import picocli.CommandLine.Option;

/** Options that say which trace to read and how (shared by train and evaluate). */
final class TraceOptions {
    @Option(names = "--trace", required = true, paramLabel = "FILE",
            description = "SWF workload log (plain or .gz) or capacity-history CSV.")
    Path trace;

    @Option(names = "--format", defaultValue = "AUTO", description = "AUTO, SWF or CSV (default: ${DEFAULT-VALUE}, by content).")
    Traces.Format format;

    @Option(names = "--partition", description = "Partition to use from a capacity history with several.")
    String partition;

    @Option(names = "--step", defaultValue = "5", paramLabel = "MINUTES", description = "Series step (default: ${DEFAULT-VALUE} min).")
    int stepMinutes;

    @Option(names = "--zone", paramLabel = "ZONE", description = "Site time zone of a capacity history (default: this machine's).")
    ZoneId zone;

    @Option(names = "--on-bad-line", defaultValue = "stop", paramLabel = "skip|stop",
            description = "Malformed trace line: skip it or stop (default: ${DEFAULT-VALUE}).")
    String onBadLine;

    @Option(names = "--assume-zero-wait",
            description = "SWF logs whose wait times (field 3) are unknown: start each such job at its submit time (with a warning).")
    boolean assumeZeroWait;

    CapacitySeries load() {
        BadLinePolicy policy = switch (onBadLine.toLowerCase(java.util.Locale.ROOT)) {
            case "skip" -> BadLinePolicy.SKIP;
            case "stop" -> BadLinePolicy.STOP;
            default -> throw new io.shatter.predictor.PredictorException("--on-bad-line must be skip or stop, not \"" + onBadLine + "\".");
        };
        return Traces.load(trace, format, partition, stepMinutes * 60, zone == null ? ZoneId.systemDefault() : zone, policy, assumeZeroWait);
    }
}
