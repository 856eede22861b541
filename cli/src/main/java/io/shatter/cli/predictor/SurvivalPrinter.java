package io.shatter.cli.predictor;

import io.shatter.predictor.survival.SurvivalMetrics;
import io.shatter.predictor.survival.SurvivalScoring;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints the survival scores of {@code predictor evaluate}: one table per run length and pooled, then the reliability table. */
final class SurvivalPrinter {
    private SurvivalPrinter() {
    }

    static void print(SurvivalScoring.Report report, PrintWriter out) {
        SurvivalScoring.Setup setup = report.setup();
        out.printf(Locale.ROOT, "Survival of excess slots on the held-out test period: at each step, for each live slot "
                        + "(k = 1 to %d slots of %d idle cores, while k is at most the idle cores), will at least k idle cores "
                        + "stay throughout the run?%n", setup.slots(), setup.coresPerSlot());
        out.printf(Locale.ROOT, "%8s %-12s %9s %8s %7s %9s %6s %10s %12s %9s%n", "run", "arm", "cases", "survived", "Brier",
                "log loss", "AUC", "skill v E", "chosen>=" + setup.bar(), "realised");
        SurvivalMetrics.Score empirical = report.arms().get(SurvivalScoring.EMPIRICAL).pooled();
        for (int r = 0; r <= setup.runMinutes().length; r++) {
            boolean pooled = r == setup.runMinutes().length;
            String run = pooled ? "pooled" : setup.runMinutes()[r] + " min";
            for (Map.Entry<String, SurvivalScoring.ArmScores> arm : report.arms().entrySet()) {
                SurvivalMetrics.Score s = pooled ? arm.getValue().pooled() : arm.getValue().perRun().get(r);
                SurvivalMetrics.Score e = pooled ? empirical : report.arms().get(SurvivalScoring.EMPIRICAL).perRun().get(r);
                out.printf(Locale.ROOT, "%8s %-12s %9d %7.1f%% %7.4f %9.4f %6.3f %+10.3f %12d %8.1f%%%n", run, arm.getKey(), s.cases(),
                        100.0 * s.survived() / Math.max(1, s.cases()), s.brier(), s.logLoss(), s.auc(), s.brierSkillAgainst(e),
                        s.chosenAtBar(), 100 * s.realisedAtBar());
            }
        }
        if (report.calibration() != null) {
            double[] losses = report.calibration().logLoss();
            out.printf(Locale.ROOT, "Calibration of the model chosen on the validation period by log loss (fitted on its first half, "
                            + "scored on its second: none %.4f, isotonic %.4f, Platt %.4f): %s.%n", losses[0], losses[1], losses[2],
                    report.calibration().calibration().describe());
        }
        out.println("Reliability (all run lengths): per forecast bin, cases / mean forecast / realised survival, per arm:");
        out.printf(Locale.ROOT, "%-12s", "bin");
        for (String arm : report.arms().keySet()) {
            out.printf(Locale.ROOT, " %27s", arm);
        }
        out.println();
        int bins = SurvivalMetrics.BIN_EDGES.length - 1;
        for (int b = 0; b < bins; b++) {
            out.printf(Locale.ROOT, "%-12s", String.format(Locale.ROOT, "[%.2f,%.2f%s", SurvivalMetrics.BIN_EDGES[b],
                    SurvivalMetrics.BIN_EDGES[b + 1], b == bins - 1 ? "]" : ")"));
            for (SurvivalScoring.ArmScores arm : report.arms().values()) {
                SurvivalMetrics.Bin bin = arm.pooled().bins().get(b);
                out.printf(Locale.ROOT, " %27s", bin.cases() == 0 ? "-" : String.format(Locale.ROOT, "%d / %.3f / %.3f", bin.cases(),
                        bin.meanForecast(), bin.realised()));
            }
            out.println();
        }
        out.flush();
    }
}
