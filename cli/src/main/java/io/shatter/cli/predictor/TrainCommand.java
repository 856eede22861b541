package io.shatter.cli.predictor;

import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Evaluator;
import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.FeatureSet;
import io.shatter.predictor.TraceIdentity;
import io.shatter.predictor.survival.Calibration;
import io.shatter.predictor.survival.SurvivalScoring;
import io.shatter.predictor.ForecastTarget;
import io.shatter.predictor.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code shatter predictor train}: trains a model on a trace and saves it. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an idle-core forecaster on the first 80%% of a trace (the last 20%% is kept for evaluation).")
public class TrainCommand implements Callable<Integer> {
    @Mixin
    private TraceOptions traceOptions;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Model file to write.")
    private Path out;

    @Option(names = "--horizons", split = ",", defaultValue = "5,30,120", paramLabel = "MINUTES",
            description = "Forecast horizons (default: ${DEFAULT-VALUE}).")
    private int[] horizons;

    @Option(names = "--features", defaultValue = "auto", paramLabel = "auto|capacity|queue",
            description = "Inputs: capacity (idle/pending cores and time; usable by the broker), queue (adds running "
                    + "and waiting job details, SWF only). auto: queue for SWF, capacity otherwise.")
    private String features;

    @Option(names = "--target", defaultValue = "path-min", paramLabel = "path-min|end",
            description = "What to forecast at each horizon: path-min, the least idle cores up to it (what decides whether an "
                    + "excess slot survives a run), or end, the idle cores at it (default: ${DEFAULT-VALUE}).")
    private String target;

    @Option(names = "--epochs", defaultValue = "30", description = "Maximum epochs (default: ${DEFAULT-VALUE}).")
    private int epochs;

    @Option(names = "--hidden", split = ",", defaultValue = "64,64", description = "Hidden layer widths (default: ${DEFAULT-VALUE}).")
    private int[] hidden;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        CapacitySeries series = traceOptions.load();
        ReportPrinter.describe(series, stdout);
        FeatureSet featureSet = switch (features.toLowerCase(Locale.ROOT)) {
            case "auto" -> series.hasQueue() ? FeatureSet.QUEUE : FeatureSet.CAPACITY;
            case "capacity" -> FeatureSet.CAPACITY;
            case "queue" -> FeatureSet.QUEUE;
            default -> throw new io.shatter.predictor.PredictorException("--features must be auto, capacity or queue, not \"" + features + "\".");
        };
        ForecastTarget forecastTarget = switch (target.toLowerCase(Locale.ROOT)) {
            case "path-min" -> ForecastTarget.PATH_MINIMUM;
            case "end" -> ForecastTarget.END;
            default -> throw new io.shatter.predictor.PredictorException("--target must be path-min or end, not \"" + target + "\".");
        };
        Trainer.Config config = Trainer.Config.defaults().withFeatureSet(featureSet).withTarget(forecastTarget).withHorizons(horizons)
                .withEpochs(epochs).withHiddenSizes(hidden).withSeed(seed);
        long started = System.nanoTime();
        Trainer.Result result;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("Training").setStyle(ProgressBarStyle.ASCII)
                .setInitialMax(1).continuousUpdate().build()) {
            result = Trainer.train(series, config, new Trainer.Progress() {
                @Override
                public void begin(long totalBatches) {
                    bar.maxHint(totalBatches);
                }

                @Override
                public void batchDone() {
                    bar.step();
                }

                @Override
                public void epochDone(int epoch, double validationScore, boolean best) {
                    bar.setExtraMessage(String.format(Locale.ROOT, " epoch %d, validation MAE/persistence %.3f%s", epoch,
                            validationScore, best ? " (best)" : ""));
                }
            });
            bar.maxHint(bar.getCurrent()); // early stopping ends before the planned epochs
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        stdout.printf(Locale.ROOT, "Trained on %d samples (%s inputs) in %.1f s: %d epochs, kept epoch %d "
                        + "(validation MAE/persistence %.3f, mean over horizons).%n", result.trainSamples(),
                featureSet.name().toLowerCase(Locale.ROOT), seconds, result.epochsRun(), result.bestEpoch(), result.bestValidation());
        CapacityModel trained = result.model();
        if (featureSet == FeatureSet.CAPACITY) {
            // The broker's forecaster answers through this calibration, chosen on validation (never test).
            Calibration.Choice choice = SurvivalScoring.validationCalibration(series, trained, SurvivalScoring.Setup.defaults(series));
            trained = trained.withMetadata(trained.metadata().withCalibration(choice.calibration()));
            stdout.printf(Locale.ROOT, "Survival odds calibrated on the validation period: %s (held-out log loss: none %.4f, "
                    + "isotonic %.4f, Platt %.4f).%n", choice.calibration().describe(), choice.logLoss()[0], choice.logLoss()[1],
                    choice.logLoss()[2]);
        }
        trained = trained.withMetadata(trained.metadata().withTrainingTrace(TraceIdentity.of(traceOptions.trace)));
        trained.save(out);
        stdout.println("Model written to " + out + ".");
        ReportPrinter.print(Evaluator.evaluate(trained, series, out.toString()), stdout);
        return 0;
    }
}
