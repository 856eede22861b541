package io.shatter.cli;

import io.shatter.RunConfig;
import io.shatter.RunResult;
import io.shatter.RunStop;
import io.shatter.RunStoppedException;
import io.shatter.RunSummary;
import io.shatter.observe.RunTimeline;
import io.shatter.report.ChromeTrace;
import io.shatter.report.HtmlReport;
import io.shatter.report.SummaryJson;
import io.shatter.Shatter;
import io.shatter.ShardGraph;
import io.shatter.ShatterException;
import io.shatter.spi.PersistenceForecaster;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * What every built-in workload does around its graph: build it, run it with the shared options,
 * print the result, verify it against a sequential computation if asked, and write the summary
 * and the timeline, also when the run fails.
 */
public abstract class WorkloadCommand implements Callable<Integer> {
    @Mixin
    protected RunOptions options;

    @Mixin
    protected ExcessOptions excess;

    @CommandLine.Spec
    protected CommandLine.Model.CommandSpec spec;

    /** The graph to run. */
    protected abstract ShardGraph buildGraph() throws IOException;

    /** One line describing the result, printed after the run. */
    protected abstract String describe(RunResult result);

    /** Compares the result with a sequential computation; returns null when equal, else what differs. */
    protected abstract String verify(RunResult result);

    /** What {@link #verify} established, for the {@code verified:} line. */
    protected abstract String verifiedClaim();

    /** Whether outputs every consumer has read may be dropped (they are not part of the printed result). */
    protected boolean dropIntermediateOutputs() {
        return true;
    }

    /** A graph to run first, untimed and unreported (to warm the JVM up), or null. */
    protected ShardGraph warmupGraph() {
        return null;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (options.mpj && MpiSession.transport() == null) {
            if (MpiSession.launchedByOpenMpi()) {
                throw new UserException("--mpj starts MPJ Express ranks itself; run without mpirun, or drop --mpj to run on Open MPI");
            }
            List<String> args = new ArrayList<>(spec.root().commandLine().getParseResult().originalArgs());
            args.removeIf("--mpj"::equals);
            return MpjLauncher.launch(args, options.workerRanks() + 1);
        }
        PrintWriter out = spec.commandLine().getOut();
        ShardGraph warmup = warmupGraph();
        if (warmup != null) {
            Shatter.run(warmup, options.config().build());
        }
        ShardGraph graph = buildGraph();
        if (excess.joining()) {
            return excess.runWorker(graph, options, out);
        }
        if (MpiSession.isWorkerRank()) {
            // A worker rank of an MPI job: work until the broker ends the run; rank 0 reports.
            MpiSession.runStarted();
            // Forecasts are the broker's business: a worker needs no capacity model.
            Shatter.run(graph, options.config().forecaster(new PersistenceForecaster())
                    .retainIntermediateOutputs(!dropIntermediateOutputs()).build());
            MpiSession.runEnded();
            return 0;
        }
        RunResult result;
        RunStop stop = new RunStop();
        MpiSession.runStarted();
        try (ProgressReporter progress = new ProgressReporter(spec.name(), !options.noProgress, System.err, options.runDir());
             CtrlC ctrlC = CtrlC.install(stop)) {
            RunConfig.Builder builder = options.config().stop(stop).recordTrace(options.trace != null || options.report != null).progress(progress)
                    .retainIntermediateOutputs(!dropIntermediateOutputs()).runIdentity(runIdentity());
            excess.configure(builder, options, spec.commandLine().getParseResult().originalArgs());
            result = Shatter.run(graph, builder.build());
            MpiSession.runEnded();
        } catch (ShatterException e) {
            MpiSession.runEnded(); // the broker told every rank to stop before it threw
            if (e.summary() != null && !(e instanceof io.shatter.RunDirectoryException)) { // refused: nothing ran
                report(e.summary(), e.timeline(), null, e.getMessage());
                out.println(headline(e.summary()));
            }
            if (e instanceof RunStoppedException) {
                out.flush();
                spec.commandLine().getErr().println("shatter: stopped. " + (e.summary() != null ? e.summary().shardsCompleted() + " of "
                        + e.summary().shardsTotal() + " shards are committed and kept in the journal in " + options.runDir() + ". " : "")
                        + "To resume, run the same command again:" + System.lineSeparator() + "  "
                        + ResumeHint.command(spec.root().commandLine().getParseResult().originalArgs()));
                return CtrlC.EXIT_CODE;
            }
            throw e;
        }
        out.println(describe(result));
        Boolean verified = null;
        if (options.verify) {
            String difference = verify(result);
            verified = difference == null;
            out.println(verified ? "verified: " + verifiedClaim() : "NOT verified: " + difference);
        }
        report(result.summary(), result.timeline(), verified,
                verified == Boolean.FALSE ? "result differs from the sequential computation" : null);
        out.println(headline(result.summary()));
        out.flush();
        return verified == Boolean.FALSE ? Main.VERIFY_FAILED : 0;
    }

    /** Shared options that do not change the result, so a killed run may resume with other values of them. */
    private static final Set<String> RESULT_NEUTRAL_OPTIONS = Set.of("--ranks", "--reserved", "--excess", "--spare",
            "--cores-per-rank", "--revoke-every", "--revoke-grace", "--checkpoint-every", "--run-dir", "--checkpoint-dir", "--keep-checkpoints",
            "--summary-json", "--trace", "--verify", "--no-progress", "--debug", "--mpj", "--warmup",
            // where the capacity comes from, not what is computed
            "--excess-workers", "--worker-cores", "--excess-partition", "--join-bind", "--no-worker-jobs",
            "--worker-command", "--join", "--token-file", "--cores", "--worker-time", "--worker-mem", "--worker-account",
            "--worker-qos", "--capacity-interval");

    /**
     * What besides the graph's structure decides the result: the workload's name and the values of
     * its options (and {@code --seed}, which seeds workload data), so that the journal of a run
     * with, say, another {@code --grid} is refused instead of resumed with the wrong values.
     */
    protected String runIdentity() {
        Map<String, String> values = new TreeMap<>();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            if (!option.usageHelp() && !option.versionHelp() && !RESULT_NEUTRAL_OPTIONS.contains(option.longestName())) {
                Object value = option.getValue();
                values.put(option.longestName(), String.valueOf(value));
            }
        }
        StringBuilder identity = new StringBuilder(spec.name());
        values.forEach((name, value) -> identity.append(' ').append(name).append(' ').append(value));
        return identity.toString();
    }

    /** Writes the summary, the trace and the report that were asked for (the timeline may be null: not recorded). */
    private void report(RunSummary summary, RunTimeline timeline, Boolean verified, String error) throws IOException {
        if (options.summaryJson != null) {
            SummaryJson.write(options.summaryJson, summary, verified, error);
        }
        if (options.trace != null && timeline != null) {
            ChromeTrace.write(options.trace, timeline);
        }
        if (options.report != null && timeline != null) {
            HtmlReport.write(options.report, summary, timeline, headline(summary), verified, error);
        }
    }

    static String headline(RunSummary s) {
        return String.format(Locale.ROOT, "summary: %d/%d shards in %.3f s, %d attempts, %d revocations, %d preemptions, "
                        + "%d lost, %d retries, %d checkpoint restores%s",
                s.shardsCompleted(), s.shardsTotal(), s.makespanSeconds(), s.attemptsStarted(), s.revocations(),
                s.preemptions(), s.lostAttempts(), s.retries(), s.checkpointRestores(),
                s.resumedFromJournal() > 0 ? ", " + s.resumedFromJournal() + " resumed from the journal" : "");
    }
}
