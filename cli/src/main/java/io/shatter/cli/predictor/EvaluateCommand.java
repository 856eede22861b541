package io.shatter.cli.predictor;

import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Evaluator;
import io.shatter.predictor.ForecastPlot;
import io.shatter.predictor.PredictorException;
import io.shatter.predictor.TraceIdentity;
import io.shatter.predictor.survival.ReliabilityPlot;
import io.shatter.predictor.survival.SurvivalScoring;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code shatter predictor evaluate}: scores a model against the baselines on a trace's last 20%. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Print, per horizon, the MAE of the model and of each baseline on the trace's held-out last 20%%, "
                + "then the survival scores (Brier, log loss, AUC, reliability) of persistence, E and the model.")
public class EvaluateCommand implements Callable<Integer> {
    @Mixin
    private TraceOptions traceOptions;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "Model file from 'predictor train'.")
    private Path model;

    @Option(names = "--horizons", split = ",", paramLabel = "MINUTES",
            description = "Horizons the model must forecast (default: the model's own).")
    private int[] horizons;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also draw forecast and actual over the test period (.png, .html or .svg).")
    private Path plot;

    @Option(names = "--runs", split = ",", defaultValue = "10,40,120", paramLabel = "MINUTES",
            description = "Run lengths of the survival scores (default: ${DEFAULT-VALUE}).")
    private int[] runs;

    @Option(names = "--slots", defaultValue = "6", description = "Excess slots asked about per step (default: ${DEFAULT-VALUE}).")
    private int slots;

    @Option(names = "--slot-cores", paramLabel = "CORES",
            description = "Idle cores one excess slot stands for (default: the trace's median idle cores / slots, as the trace-driven run).")
    private Integer slotCores;

    @Option(names = "--reliability-plot", paramLabel = "FILE.png",
            description = "Also draw the reliability diagram of the survival odds (per arm: forecast against realised survival).")
    private Path reliabilityPlot;

    @Option(names = "--allow-other-trace",
            description = "Evaluate even when the model was trained on another trace file than --trace.")
    private boolean allowOtherTrace;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        CapacityModel loaded = CapacityModel.load(model);
        loaded.metadata().trainingTrace().ifPresent(trained -> {
            TraceIdentity given = TraceIdentity.of(traceOptions.trace);
            if (!trained.sameContent(given)) {
                String message = "Model " + model + " was trained on " + trained.describe() + ", not on " + given.describe()
                        + ": its held-out period is the last 20% of its own trace, so scores on another log mean something else.";
                if (!allowOtherTrace) {
                    throw new PredictorException(message + " Pass the trace it was trained on, or --allow-other-trace to score it anyway.");
                }
                stdout.println("warning: " + message);
            }
        });
        if (horizons != null) {
            loaded.requireHorizons(horizons, model.toString());
        }
        CapacitySeries series = traceOptions.load();
        ReportPrinter.describe(series, stdout);
        Evaluator.Report report = Evaluator.evaluate(loaded, series, model.toString());
        ReportPrinter.print(report, stdout);
        SurvivalScoring.Setup defaults = SurvivalScoring.Setup.defaults(series);
        if (slots < 1 || (slotCores != null && slotCores < 1) || java.util.Arrays.stream(runs).anyMatch(m -> m <= 0)) {
            throw new PredictorException("--slots and --slot-cores must be at least 1 and --runs positive minutes.");
        }
        int cores = slotCores != null ? slotCores : io.shatter.predictor.TraceReplay.defaultCoresPerRank(series, slots);
        // The model's survival odds are the broker's forecaster's, which sees capacity samples only.
        boolean brokerModel = loaded.metadata().featureSet() == io.shatter.predictor.FeatureSet.CAPACITY;
        if (!brokerModel) {
            stdout.println("The survival scores below have no model arms: this model uses queue details, which the broker's "
                    + "forecaster does not see (train with --features capacity for a model the broker can use).");
        }
        SurvivalScoring.Report survival = SurvivalScoring.evaluate(series, brokerModel ? loaded : null,
                new SurvivalScoring.Setup(cores, slots, runs, defaults.bar()));
        SurvivalPrinter.print(survival, stdout);
        if (reliabilityPlot != null) {
            ReliabilityPlot.write(survival, reliabilityPlot);
            stdout.println("Reliability diagram written to " + reliabilityPlot + ".");
        }
        if (plot != null) {
            ForecastPlot.write(report, plot);
            stdout.println("Plot written to " + plot + ".");
        }
        return 0;
    }
}
