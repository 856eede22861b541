package io.shatter.predictor.survival;

import java.util.Arrays;
import java.util.Locale;

/**
 * A monotone map from a forecaster's raw survival probability to a calibrated one, learnt from
 * cases whose outcome is known (the validation period, or a run's own resolved forecasts).
 */
public sealed interface Calibration {
    /** Outputs stay within [LIMIT, 1 - LIMIT]: a finite history never justifies certainty. */
    double LIMIT = 0.0005;

    /** The calibrated probability for raw probability {@code p}. */
    double apply(double p);

    /** A short description for reports. */
    String describe();

    /** The calibration as one line of text for the model file: {@code none}, {@code platt:a,b} or {@code isotonic:raw...;calibrated...}. */
    static String encode(Calibration calibration) {
        if (calibration instanceof Platt p) {
            return "platt:" + p.a() + "," + p.b();
        }
        if (calibration instanceof Isotonic iso) {
            return "isotonic:" + join(iso.raw()) + ";" + join(iso.calibrated());
        }
        return "none";
    }

    /** Reads {@link #encode}'s text; throws IllegalArgumentException if it is not one. */
    static Calibration decode(String text) {
        if (text == null || text.equals("none")) {
            return new Identity();
        }
        if (text.startsWith("platt:")) {
            String[] ab = text.substring(6).split(",");
            return new Platt(Double.parseDouble(ab[0]), Double.parseDouble(ab[1]));
        }
        if (text.startsWith("isotonic:")) {
            String[] parts = text.substring(9).split(";");
            double[] raw = Arrays.stream(parts[0].split(",")).mapToDouble(Double::parseDouble).toArray();
            double[] calibrated = Arrays.stream(parts[1].split(",")).mapToDouble(Double::parseDouble).toArray();
            if (raw.length != calibrated.length || raw.length == 0) {
                throw new IllegalArgumentException("isotonic calibration of unequal lengths");
            }
            return new Isotonic(raw, calibrated);
        }
        throw new IllegalArgumentException("unknown calibration " + text);
    }

    private static String join(double[] values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(values[i]);
        }
        return s.toString();
    }

    /** No change. */
    record Identity() implements Calibration {
        @Override
        public double apply(double p) {
            return p;
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    /**
     * Isotonic regression (pool adjacent violators): a non-decreasing step map, linear between the
     * mean raw probabilities of its blocks.
     */
    record Isotonic(double[] raw, double[] calibrated) implements Calibration {
        @Override
        public double apply(double p) {
            int i = Arrays.binarySearch(raw, p);
            double value;
            if (i >= 0) {
                value = calibrated[i];
            } else {
                int above = -i - 1;
                if (above == 0) {
                    value = calibrated[0];
                } else if (above == raw.length) {
                    value = calibrated[raw.length - 1];
                } else {
                    double w = (p - raw[above - 1]) / (raw[above] - raw[above - 1]);
                    value = calibrated[above - 1] + w * (calibrated[above] - calibrated[above - 1]);
                }
            }
            return clamp(value);
        }

        @Override
        public String describe() {
            return "isotonic (" + raw.length + " blocks)";
        }

        /** Fits the map to {@code n} cases. */
        static Isotonic fit(double[] p, boolean[] y, int n) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
            double[] sumP = new double[n];
            double[] sumY = new double[n];
            long[] weight = new long[n];
            int blocks = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                sumP[blocks] = p[i];
                sumY[blocks] = y[i] ? 1 : 0;
                weight[blocks] = 1;
                blocks++;
                while (blocks > 1 && sumY[blocks - 2] / weight[blocks - 2] >= sumY[blocks - 1] / weight[blocks - 1]) {
                    sumP[blocks - 2] += sumP[blocks - 1];
                    sumY[blocks - 2] += sumY[blocks - 1];
                    weight[blocks - 2] += weight[blocks - 1];
                    blocks--;
                }
            }
            double[] raw = new double[blocks];
            double[] calibrated = new double[blocks];
            for (int b = 0; b < blocks; b++) {
                raw[b] = sumP[b] / weight[b];
                calibrated[b] = sumY[b] / weight[b];
            }
            return new Isotonic(raw, calibrated);
        }
    }

    /** Platt scaling: a logistic function of the raw probability's log-odds, {@code sigmoid(a * logit(p) + b)}. */
    record Platt(double a, double b) implements Calibration {
        @Override
        public double apply(double p) {
            return clamp(1 / (1 + Math.exp(-(a * logit(p) + b))));
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "Platt (a %.3f, b %.3f)", a, b);
        }

        /** Fits {@code a} and {@code b} by Newton's method on the log loss. */
        static Platt fit(double[] p, boolean[] y, int n) {
            double a = 1;
            double b = 0;
            for (int iteration = 0; iteration < 50; iteration++) {
                double ga = 0;
                double gb = 0;
                double haa = 0;
                double hab = 0;
                double hbb = 0;
                for (int i = 0; i < n; i++) {
                    double x = logit(p[i]);
                    double q = 1 / (1 + Math.exp(-(a * x + b)));
                    double r = q - (y[i] ? 1 : 0);
                    double w = q * (1 - q);
                    ga += r * x;
                    gb += r;
                    haa += w * x * x;
                    hab += w * x;
                    hbb += w;
                }
                haa += 1e-9;
                hbb += 1e-9;
                double det = haa * hbb - hab * hab;
                if (det <= 0) {
                    break;
                }
                double da = (hbb * ga - hab * gb) / det;
                double db = (haa * gb - hab * ga) / det;
                // Newton's step can overshoot on the log-odds of near-sure answers: halve it until the loss falls.
                double before = loss(p, y, n, a, b);
                double step = 1;
                while (step > 1e-4 && !(loss(p, y, n, a - step * da, b - step * db) <= before)) {
                    step /= 2;
                }
                if (step <= 1e-4) {
                    break;
                }
                a -= step * da;
                b -= step * db;
                if (step * (Math.abs(da) + Math.abs(db)) < 1e-9) {
                    break;
                }
            }
            return new Platt(a, b);
        }

        private static double loss(double[] p, boolean[] y, int n, double a, double b) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double z = a * logit(p[i]) + b;
                // log(1 + e^-z) for a survivor, log(1 + e^z) for a failure, computed without overflow
                double m = y[i] ? -z : z;
                sum += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
            }
            return sum / n;
        }
    }

    private static double logit(double p) {
        double clipped = Math.min(1 - SurvivalMetrics.EPSILON, Math.max(SurvivalMetrics.EPSILON, p));
        return Math.log(clipped / (1 - clipped));
    }

    private static double clamp(double value) {
        return Math.min(1 - LIMIT, Math.max(LIMIT, value));
    }

    /**
     * The chosen calibration and the held-out log loss each candidate scored.
     *
     * @param calibration the winner, refitted on all the cases
     * @param logLoss     held-out log loss of no change, isotonic and Platt, in that order
     */
    public record Choice(Calibration calibration, double[] logLoss) {
    }

    /**
     * Chooses among no change, isotonic and Platt by log loss: each is fitted on the earlier cases
     * and scored on the later ones (in time order); the winner is refitted on all of them.
     */
    static Choice choose(double[] fitP, boolean[] fitY, double[] heldP, boolean[] heldY, double[] allP, boolean[] allY) {
        if (fitP.length < 50 || heldP.length < 50) {
            return new Choice(new Identity(), new double[] {Double.NaN, Double.NaN, Double.NaN});
        }
        Calibration[] candidates = {new Identity(), Isotonic.fit(fitP, fitY, fitP.length), Platt.fit(fitP, fitY, fitP.length)};
        double[] losses = new double[candidates.length];
        int best = 0;
        for (int c = 0; c < candidates.length; c++) {
            double[] mapped = new double[heldP.length];
            for (int i = 0; i < mapped.length; i++) {
                mapped[i] = candidates[c].apply(heldP[i]);
            }
            losses[c] = SurvivalMetrics.score(mapped, heldY, mapped.length, 1).logLoss();
            if (losses[c] < losses[best]) {
                best = c;
            }
        }
        Calibration refit = switch (best) {
            case 1 -> Isotonic.fit(allP, allY, allP.length);
            case 2 -> Platt.fit(allP, allY, allP.length);
            default -> new Identity();
        };
        return new Choice(refit, losses);
    }
}
