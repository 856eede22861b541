package io.shatter.predictor.survival;

/**
 * Weighted logistic regression by Newton's method (a handful of inputs, tens of thousands of
 * rows), with a small ridge penalty so that inputs that say the same (E and the model often
 * agree) keep finite weights. Plain Java: it runs once a day, off the broker's thread
 * ({@link StackedRecalibration} fits a snapshot on an executor).
 */
final class LogisticFit {
    /** Ridge penalty per coefficient (on the mean log loss). */
    static final double RIDGE = 1e-4;
    private static final int MAX_ITERATIONS = 25;

    /** Rows to fit: features (the first is the constant 1) and outcomes. */
    interface Rows {
        int size();

        float[] features(int i);

        boolean survived(int i);
    }

    private LogisticFit() {
    }

    /**
     * Coefficients minimising the weighted mean log loss plus the ridge penalty, starting from
     * {@code start} (null: all zero); rows of weight 0 are skipped.
     */
    static double[] fit(Rows rows, double[] weight, double[] start) {
        int k = rows.features(0).length;
        double[] b = start == null ? new double[k] : start.clone();
        double totalWeight = 0;
        for (double w : weight) {
            totalWeight += w;
        }
        double before = loss(rows, weight, totalWeight, b);
        for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
            double[] gradient = new double[k];
            double[][] hessian = new double[k][k];
            for (int i = 0; i < rows.size(); i++) {
                if (weight[i] == 0) {
                    continue;
                }
                float[] x = rows.features(i);
                double q = sigmoid(dot(b, x));
                double r = weight[i] * (q - (rows.survived(i) ? 1 : 0));
                double h = weight[i] * q * (1 - q);
                for (int a = 0; a < k; a++) {
                    gradient[a] += r * x[a];
                    for (int c = 0; c <= a; c++) {
                        hessian[a][c] += h * x[a] * x[c];
                    }
                }
            }
            for (int a = 0; a < k; a++) {
                gradient[a] = gradient[a] / totalWeight + RIDGE * b[a];
                for (int c = 0; c <= a; c++) {
                    hessian[a][c] = hessian[a][c] / totalWeight + (a == c ? RIDGE : 0);
                    hessian[c][a] = hessian[a][c];
                }
            }
            double[] step = solve(hessian, gradient);
            // Damped: halve the step until the loss does not rise (Newton's step can overshoot on near-sure rows).
            double scale = 1;
            double[] next = new double[k];
            double after;
            do {
                for (int a = 0; a < k; a++) {
                    next[a] = b[a] - scale * step[a];
                }
                after = loss(rows, weight, totalWeight, next);
                scale /= 2;
            } while (after > before && scale > 1e-4);
            if (after > before) {
                break;
            }
            double moved = 0;
            for (int a = 0; a < k; a++) {
                moved = Math.max(moved, Math.abs(next[a] - b[a]));
            }
            b = next.clone();
            before = after;
            if (moved < 1e-7) {
                break;
            }
        }
        return b;
    }

    private static double loss(Rows rows, double[] weight, double totalWeight, double[] b) {
        double sum = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (weight[i] == 0) {
                continue;
            }
            double z = dot(b, rows.features(i));
            double m = rows.survived(i) ? -z : z; // log(1 + e^m), without overflow
            sum += weight[i] * (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)));
        }
        double penalty = 0;
        for (double v : b) {
            penalty += v * v;
        }
        return sum / totalWeight + RIDGE / 2 * penalty;
    }

    private static double dot(double[] b, float[] x) {
        double z = 0;
        for (int a = 0; a < b.length; a++) {
            z += b[a] * x[a];
        }
        return z;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** Solves {@code m x = v} for a small symmetric positive definite {@code m} (Gaussian elimination with partial pivoting). */
    private static double[] solve(double[][] m, double[] v) {
        int k = v.length;
        double[][] a = new double[k][];
        for (int i = 0; i < k; i++) {
            a[i] = java.util.Arrays.copyOf(m[i], k + 1);
            a[i][k] = v[i];
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int row = col + 1; row < k; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            double[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int row = col + 1; row < k; row++) {
                double f = a[row][col] / a[col][col];
                for (int c = col; c <= k; c++) {
                    a[row][c] -= f * a[col][c];
                }
            }
        }
        double[] x = new double[k];
        for (int row = k - 1; row >= 0; row--) {
            double s = a[row][k];
            for (int c = row + 1; c < k; c++) {
                s -= a[row][c] * x[c];
            }
            x[row] = s / a[row][row];
        }
        return x;
    }
}
