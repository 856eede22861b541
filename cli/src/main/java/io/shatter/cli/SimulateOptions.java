package io.shatter.cli;

import io.shatter.RankLayout;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.broker.EventSource;
import io.shatter.broker.policy.DefaultPlacementPolicy;
import io.shatter.predictor.BadLinePolicy;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.ModelForecaster;
import io.shatter.predictor.Traces;
import io.shatter.simulator.SimClock;
import io.shatter.simulator.Simulation;
import io.shatter.simulator.SimulationConfig;
import io.shatter.simulator.SimulationReport;
import io.shatter.simulator.TraceCapacity;
import io.shatter.simulator.WorkModel;
import io.shatter.spi.CapacityForecaster;
import io.shatter.spi.EmpiricalSurvivalForecaster;
import io.shatter.spi.PersistenceForecaster;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** Options of {@code shatter simulate}, and the simulation they describe. */
final class SimulateOptions {
    @Option(names = "--ranks", paramLabel = "N", description = "Simulated worker ranks (default: ${DEFAULT-VALUE}).")
    int ranks = 16;

    @Option(names = "--reserved", paramLabel = "N", description = "Reserved ranks (default: those not excess or spare).")
    Integer reserved;

    @Option(names = "--excess", paramLabel = "N", description = "Excess ranks (default: the ranks not reserved or spare when --reserved is given, else 0).")
    Integer excess;

    @Option(names = "--spare", paramLabel = "N", description = "Spare ranks, kept free for shadow attempts (default: 0).")
    int spare;

    @Option(names = "--cores-per-rank", paramLabel = "C", description = "Cores each rank offers; with --excess-trace also the idle cores "
            + "of the scaled log one excess rank stands for (default: ${DEFAULT-VALUE}).")
    int coresPerRank = 1;

    @Option(names = "--excess-trace", paramLabel = "LOG", description = "A workload log (Standard Workload Format, plain or .gz) or a "
            + "Slurm capacity history: its machine, scaled to the excess ranks, decides which of them are alive.")
    Path excessTrace;

    @Option(names = "--trace-start", paramLabel = "DAYS", description = "Where in the log the run starts, in days (default: ${DEFAULT-VALUE}).")
    double traceStartDays = 0;

    @Option(names = "--capacity-poll", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often the capacity monitor samples the log (default: 60s).")
    Duration capacityPoll = Duration.ofSeconds(60);

    @Option(names = "--model", paramLabel = "FILE", description = "A capacity model (shatter predictor train --features capacity) "
            + "as the broker's forecaster, instead of --forecaster's.")
    Path model;

    /** The forecasters that need no model file. */
    enum Baseline { persistence, empirical }

    @Option(names = "--forecaster", paramLabel = "NAME", description = "Without --model: persistence (idle cores stay as they are) "
            + "or empirical (how often the log's last 30 days kept such a margin for so long; the broker's default) "
            + "(default: ${DEFAULT-VALUE}).")
    Baseline baseline = Baseline.empirical;

    @Option(names = "--min-survival", paramLabel = "P", description = "The placement policy's bar: odds an excess slot must have of "
            + "outliving a shard (default: ${DEFAULT-VALUE}).")
    double minSurvival = DefaultPlacementPolicy.DEFAULT_MINIMUM_SURVIVAL;

    @Option(names = "--revoke-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Revoke a random excess rank at this interval and restore it after the same interval, as 'shatter run' does.")
    Duration revokeEvery;

    @Option(names = "--revoke-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Grace of a revocation (default: half of --revoke-every, at most 2s, as 'shatter run'; with --excess-trace "
                    + "alone 30s, Slurm's default KillWait).")
    Duration revokeGrace;

    @Option(names = "--checkpoint-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often resumable shards save their state (default: 200ms, as 'shatter run').")
    Duration checkpointEvery = Duration.ofMillis(200);

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Mean run time of a shard (default: 1s).")
    Duration duration = Duration.ofSeconds(1);

    @Option(names = "--duration-of", paramLabel = "PREFIX=DURATION", description = "Mean run time of the shards whose id starts "
            + "with PREFIX (repeatable; the first match wins), e.g. --duration-of tile-=8ms.")
    Map<String, String> durationOf = new LinkedHashMap<>();

    @Option(names = "--spread", paramLabel = "S", description = "0: fixed durations; else log-normal durations with this standard "
            + "deviation of ln(duration) (default: ${DEFAULT-VALUE}).")
    double spread = 0;

    @Option(names = "--safepoints", paramLabel = "K", description = "Safepoints (steps) of a resumable shard (default: ${DEFAULT-VALUE}).")
    int safepoints = 20;

    @Option(names = "--state-bytes", paramLabel = "B", description = "Checkpoint size of a resumable shard (default: ${DEFAULT-VALUE}).")
    long stateBytes = 1 << 20;

    @Option(names = "--store-bandwidth", paramLabel = "MB/S", description = "Checkpoint store bandwidth in MB/s (default: ${DEFAULT-VALUE}).")
    double storeMegabytesPerSecond = 500;

    @Option(names = "--store-file-cost", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Fixed cost of one checkpoint file (default: 1ms).")
    Duration storeFileCost = Duration.ofMillis(1);

    @Option(names = "--host-cpus", paramLabel = "N", description = "Every rank runs on one host with N CPUs, as local ranks share "
            + "one machine: with more lanes busy than CPUs each runs that much slower (default: 0, each rank has its cores to itself). "
            + "A fraction is what the runtime's own threads (broker, JIT, collector) leave of the host's CPUs.")
    double hostCpus = 0;

    @Option(names = "--latency", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "One-way message latency between the broker and a rank (default: 50us).")
    Duration latency = Duration.ofNanos(50_000);

    @Option(names = "--fail-probability", paramLabel = "P", description = "Probability that an attempt throws at its end (default: ${DEFAULT-VALUE}).")
    double failProbability = 0;

    @Option(names = "--max-time", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop a run not finished after this much simulated time (default: 8760h).")
    Duration maxTime = Duration.ofHours(8760);

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write the run summary as JSON, with the simulation's own figures.")
    Path summaryJson;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write the timeline as Chrome trace event JSON (sampled above --trace-limit slices).")
    Path trace;

    @Option(names = "--trace-limit", paramLabel = "N", description = "Above this many slices, keep those of every k-th rank only (default: ${DEFAULT-VALUE}).")
    int traceLimit = 200_000;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--debug", description = "Show stack traces of errors.")
    boolean debug;

    RankLayout layout() {
        if (ranks < 1) {
            throw new UserException("--ranks must be at least 1, got " + ranks);
        }
        int excessRanks = excess != null ? excess : reserved != null ? ranks - reserved - spare : 0;
        int reservedRanks = reserved != null ? reserved : ranks - excessRanks - spare;
        if (excessRanks < 0 || spare < 0 || reservedRanks < 0 || reservedRanks + excessRanks + spare != ranks) {
            throw new UserException("--reserved " + reservedRanks + " + --excess " + excessRanks + " + --spare " + spare
                    + " must add up to --ranks " + ranks + " with none negative; adjust one of them");
        }
        if (reservedRanks + excessRanks == 0) {
            throw new UserException("at least one rank must be reserved or excess: spare ranks only run shadows");
        }
        if ((revokeEvery != null || excessTrace != null) && excessRanks == 0) {
            throw new UserException((excessTrace != null ? "--excess-trace" : "--revoke-every")
                    + " acts on excess ranks, but there are none; give --reserved fewer than --ranks, or --excess N");
        }
        if (!(hostCpus >= 0) || Double.isInfinite(hostCpus)) {
            throw new UserException("--host-cpus must be 0 (no shared host) or the CPUs the ranks share (a fraction allowed), got " + hostCpus);
        }
        if (coresPerRank < 1) {
            throw new UserException("--cores-per-rank must be at least 1, got " + coresPerRank);
        }
        return RankLayout.of(reservedRanks, excessRanks, spare, coresPerRank);
    }

    private Map<String, Long> durationsByPrefix() {
        Map<String, Long> out = new LinkedHashMap<>();
        DurationConverter converter = new DurationConverter();
        for (Map.Entry<String, String> e : durationOf.entrySet()) {
            try {
                out.put(e.getKey(), converter.convert(e.getValue()).toNanos());
            } catch (RuntimeException ex) {
                throw new UserException("--duration-of " + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
            }
        }
        return out;
    }

    /** Runs the simulation of {@code graph}, prints its report; returns the exit code. */
    int simulate(String workload, ShardGraph graph, PrintWriter out) throws IOException {
        RankLayout layout = layout();
        if (!(minSurvival > 0 && minSurvival <= 1)) {
            throw new UserException("--min-survival must be in (0, 1], got " + minSurvival);
        }
        if (!(storeMegabytesPerSecond > 0) || spread < 0 || safepoints < 1 || stateBytes < 0 || traceLimit < 1
                || !(failProbability >= 0 && failProbability < 1)) {
            throw new UserException("--store-bandwidth must be positive, --spread and --state-bytes not negative, --safepoints "
                    + "and --trace-limit at least 1, --fail-probability in [0, 1)");
        }
        int excessRanks = (int) layout.classes().stream().filter(c -> c == io.shatter.CapacityClass.EXCESS).count();
        SimClock clock = new SimClock();
        CapacityForecaster forecaster = model != null ? new ModelForecaster(model, ZoneId.of("UTC"))
                : baseline == Baseline.persistence ? new PersistenceForecaster() : new EmpiricalSurvivalForecaster();
        List<EventSource> capacity = List.of();
        String capacityNote = "";
        long graceNanos;
        if (revokeGrace != null) {
            graceNanos = revokeGrace.toNanos();
        } else if (revokeEvery != null) {
            graceNanos = Math.min(revokeEvery.toNanos() / 2, Duration.ofSeconds(2).toNanos());
        } else {
            graceNanos = excessTrace != null ? Duration.ofSeconds(30).toNanos() : 0;
        }
        if (excessTrace != null) {
            CapacitySeries series = Traces.load(excessTrace, Traces.Format.AUTO, null, 300, ZoneId.of("UTC"), BadLinePolicy.SKIP);
            CapacitySeries scaled = TraceCapacity.scaled(series, excessRanks, coresPerRank);
            int start = TraceCapacity.startStep(scaled, traceStartDays);
            TraceCapacity.warmUp(forecaster, scaled, start);
            capacity = List.of(TraceCapacity.feed(scaled, start, excessRanks, coresPerRank, clock, capacityPoll));
            capacityNote = String.format(java.util.Locale.ROOT, "; excess capacity from %s (%d cores scaled to %d x %d) from day %.2f",
                    excessTrace.getFileName(), series.totalCores(), excessRanks, coresPerRank, traceStartDays);
        }
        WorkModel work = new WorkModel(graph.shards(), duration.toNanos(), durationsByPrefix(), spread, safepoints, stateBytes,
                failProbability, seed);
        SimulationConfig config = new SimulationConfig(layout, latency.toNanos(), checkpointEvery.toNanos(),
                revokeEvery == null ? 0 : revokeEvery.toNanos(), graceNanos,
                excessTrace == null ? OptionalInt.empty() : OptionalInt.of(coresPerRank), true, trace != null,
                Math.round(storeMegabytesPerSecond * 1e6), storeFileCost.toNanos(), hostCpus, seed, maxTime.toNanos());
        out.printf(java.util.Locale.ROOT, "simulate: %s, %d shards on %d ranks (%d reserved, %d excess, %d spare, %d cores each)%s; seed %d%n",
                workload, graph.size(), layout.workers(), layout.workers() - excessRanks - spare, excessRanks, spare, coresPerRank,
                capacityNote, seed);
        out.flush();
        Simulation simulation = new Simulation(graph, config, work, new DefaultPlacementPolicy(minSurvival), forecaster, clock, capacity);
        SimulationReport report;
        try (SimulationProgress progress = new SimulationProgress(workload, !noProgress, System.err)) {
            report = simulation.run(progress);
        }
        SimulateReports.print(out, report);
        if (summaryJson != null) {
            SimulateReports.writeSummary(summaryJson, report);
        }
        if (trace != null) {
            SimulateReports.writeTrace(trace, report.trace(), traceLimit, out);
        }
        out.flush();
        if (report.failure().isPresent()) {
            throw new ShatterException(report.failure().get());
        }
        return 0;
    }
}
