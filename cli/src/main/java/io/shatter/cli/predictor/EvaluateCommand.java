package io.shatter.cli.predictor;

import io.shatter.predictor.CapacityModel;
import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Evaluator;
import io.shatter.predictor.ForecastPlot;
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
        description = "Print, per horizon, the MAE of the model and of each baseline on the trace's held-out last 20%%.")
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

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        CapacityModel loaded = CapacityModel.load(model);
        if (horizons != null) {
            loaded.requireHorizons(horizons, model.toString());
        }
        CapacitySeries series = traceOptions.load();
        ReportPrinter.describe(series, stdout);
        Evaluator.Report report = Evaluator.evaluate(loaded, series, model.toString());
        ReportPrinter.print(report, stdout);
        if (plot != null) {
            ForecastPlot.write(report, plot);
            stdout.println("Plot written to " + plot + ".");
        }
        return 0;
    }
}
