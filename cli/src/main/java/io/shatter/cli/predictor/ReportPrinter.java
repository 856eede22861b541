package io.shatter.cli.predictor;

import io.shatter.predictor.CapacitySeries;
import io.shatter.predictor.Evaluator;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints series notes and evaluation tables. */
final class ReportPrinter {
    private ReportPrinter() {
    }

    static void describe(CapacitySeries series, PrintWriter out) {
        out.printf(Locale.ROOT, "Trace %s: %d cores, %.1f days at %d-minute steps (%d steps).%n", series.source(),
                series.totalCores(), series.days(), series.stepSeconds() / 60, series.length());
        for (String note : series.notes()) {
            out.println("  note: " + note);
        }
    }

    static void print(Evaluator.Report report, PrintWriter out) {
        out.printf(Locale.ROOT, "Held-out test period (last 20%%): %d forecasts over %.1f days. MAE in idle cores (of %d) of %s:%n",
                report.testSteps(), report.testSteps() * report.series().stepSeconds() / 86400.0, report.totalCores(),
                report.target() == io.shatter.predictor.ForecastTarget.END ? "the idle cores at the horizon"
                        : "the least idle cores up to the horizon (the model's target)");
        out.printf(Locale.ROOT, "%8s %10s %12s %18s %16s %10s %18s%n", "horizon", "model", "persistence", "moving avg (win)",
                "same time -1d", "ridge", "model/persistence");
        for (Evaluator.HorizonScore s : report.scores()) {
            out.printf(Locale.ROOT, "%4d min %10.2f %12.2f %11.2f (%3dm) %16.2f %10.2f %18.3f%n", s.minutes(), s.model(), s.persistence(),
                    s.movingAverage(), s.movingAverageWindow(), s.sameTimeYesterday(), s.ridge(), s.ratioToPersistence());
        }
        out.flush();
    }
}
