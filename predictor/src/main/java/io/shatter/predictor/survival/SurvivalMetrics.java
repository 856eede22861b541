package io.shatter.predictor.survival;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores of survival probabilities against what happened: Brier score, log loss, AUC and a
 * reliability table, plus how the slots a placement bar would choose fared.
 */
public final class SurvivalMetrics {
    /** Forecast bins of the reliability table: fine near 1, where the broker's bar sits. */
    public static final double[] BIN_EDGES = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1};
    /** Probabilities are clipped to [EPSILON, 1 - EPSILON] for the log loss, so a sure answer that fails costs a finite 6.9. */
    public static final double EPSILON = 0.001;

    private SurvivalMetrics() {
    }

    /**
     * One bin of the reliability table.
     *
     * @param lower        least forecast in the bin
     * @param upper        bound of the bin (exclusive, except for the last bin, which holds 1)
     * @param cases        cases whose forecast fell in the bin
     * @param meanForecast their mean forecast
     * @param realised     the share of them that survived
     */
    public record Bin(double lower, double upper, long cases, double meanForecast, double realised) {
        /** Mean forecast minus realised frequency (positive: over-confident). */
        public double gap() {
            return meanForecast - realised;
        }
    }

    /**
     * A forecaster's scores over a set of cases.
     *
     * @param cases          number of (slot, run length, instant) cases
     * @param survived       how many survived
     * @param brier          mean squared error of the probability against the 0/1 outcome
     * @param logLoss        mean negative log-likelihood (natural log; probabilities clipped, see {@link #EPSILON})
     * @param auc            probability that a random survivor got a higher forecast than a random failure (ties half)
     * @param bins           the reliability table
     * @param bar            the placement bar the last two fields are for
     * @param chosenAtBar    cases whose forecast was at least {@code bar}: the slots a placement at that bar would take
     * @param realisedAtBar  the share of those that survived (NaN when none)
     */
    public record Score(long cases, long survived, double brier, double logLoss, double auc, List<Bin> bins, double bar,
                        long chosenAtBar, double realisedAtBar) {
        /** Brier skill against {@code reference}: 1 - this Brier / its Brier (positive: better). */
        public double brierSkillAgainst(Score reference) {
            return 1 - brier / reference.brier;
        }

        /** The largest |gap| among bins at or above {@code from} that hold at least {@code minCases} cases (0 if none). */
        public double worstGapFrom(double from, long minCases) {
            return bins.stream().filter(b -> b.lower() >= from - 1e-12 && b.cases() >= minCases)
                    .mapToDouble(b -> Math.abs(b.gap())).max().orElse(0);
        }
    }

    /** Scores {@code forecasts} against {@code outcomes}; the realised survival is reported at {@code bar}. */
    public static Score score(double[] forecasts, boolean[] outcomes, int n, double bar) {
        if (n == 0) {
            return new Score(0, 0, Double.NaN, Double.NaN, Double.NaN, List.of(), bar, 0, Double.NaN);
        }
        double brier = 0;
        double logLoss = 0;
        long survived = 0;
        long chosen = 0;
        long chosenSurvived = 0;
        int binCount = BIN_EDGES.length - 1;
        long[] binCases = new long[binCount];
        double[] binForecast = new double[binCount];
        long[] binSurvived = new long[binCount];
        for (int i = 0; i < n; i++) {
            double p = forecasts[i];
            boolean y = outcomes[i];
            double target = y ? 1 : 0;
            brier += (p - target) * (p - target);
            double clipped = Math.min(1 - EPSILON, Math.max(EPSILON, p));
            logLoss -= y ? Math.log(clipped) : Math.log(1 - clipped);
            if (y) {
                survived++;
            }
            if (p >= bar) {
                chosen++;
                if (y) {
                    chosenSurvived++;
                }
            }
            int bin = binOf(p);
            binCases[bin]++;
            binForecast[bin] += p;
            if (y) {
                binSurvived[bin]++;
            }
        }
        List<Bin> bins = new ArrayList<>();
        for (int b = 0; b < binCount; b++) {
            bins.add(new Bin(BIN_EDGES[b], BIN_EDGES[b + 1], binCases[b], binCases[b] == 0 ? Double.NaN : binForecast[b] / binCases[b],
                    binCases[b] == 0 ? Double.NaN : (double) binSurvived[b] / binCases[b]));
        }
        return new Score(n, survived, brier / n, logLoss / n, auc(forecasts, outcomes, n), List.copyOf(bins), bar, chosen,
                chosen == 0 ? Double.NaN : (double) chosenSurvived / chosen);
    }

    static int binOf(double p) {
        for (int b = 1; b < BIN_EDGES.length - 1; b++) {
            if (p < BIN_EDGES[b]) {
                return b - 1;
            }
        }
        return BIN_EDGES.length - 2;
    }

    /** Mann-Whitney AUC over the ranks of the forecasts, ties counting half; NaN when every case had the same outcome. */
    static double auc(double[] forecasts, boolean[] outcomes, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(forecasts[a], forecasts[b]));
        double rankSumOfSurvivors = 0;
        long survivors = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && forecasts[order[j]] == forecasts[order[i]]) {
                j++;
            }
            double meanRank = (i + 1 + j) / 2.0; // ranks i+1..j share their mean
            for (int k = i; k < j; k++) {
                if (outcomes[order[k]]) {
                    rankSumOfSurvivors += meanRank;
                    survivors++;
                }
            }
            i = j;
        }
        long failures = n - survivors;
        if (survivors == 0 || failures == 0) {
            return Double.NaN;
        }
        return (rankSumOfSurvivors - survivors * (survivors + 1) / 2.0) / ((double) survivors * failures);
    }
}
