package io.shatter.predictor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * A gradient-free sanity check for the network: ridge regression of the idle-fraction change at
 * each horizon on the very same standardised {@link Features}, fitted in closed form on the
 * training period, with the penalty chosen per horizon on validation. If the network cannot beat
 * this, its extra capacity buys nothing.
 */
final class RidgeBaseline {
    private static final double[] PENALTIES = {1e-2, 1e-1, 1, 10, 100, 1000, 10000};

    private RidgeBaseline() {
    }

    /**
     * Forecast idle cores {@code [horizon][t - split.testFrom()]} over the test period of
     * {@code series}, from a ridge fit on its training period.
     */
    static double[][] forecastTest(CapacitySeries series, Features features, int[] horizonSteps, TimeSplit split) {
        History history = History.of(series);
        int p = features.count();
        int outputs = horizonSteps.length;
        INDArray trainX = design(features, history, split.trainFrom(), split.trainTo(), p);
        INDArray trainY = targets(features, history, split.trainFrom(), split.trainTo(), outputs);
        INDArray mean = trainX.mean(0);
        INDArray std = trainX.std(0).addi(1e-6);
        INDArray yMean = trainY.mean(0);
        standardise(trainX, mean, std);
        INDArray gram = trainX.transpose().mmul(trainX);
        INDArray moment = trainX.transpose().mmul(trainY.subRowVector(yMean));

        INDArray validationX = standardise(design(features, history, split.validationFrom(), split.validationTo(), p), mean, std);
        INDArray validationY = targets(features, history, split.validationFrom(), split.validationTo(), outputs);
        INDArray testX = standardise(design(features, history, split.testFrom(), split.testTo(), p), mean, std);
        double[][] result = new double[outputs][split.testTo() - split.testFrom()];
        double[] bestMae = new double[outputs];
        java.util.Arrays.fill(bestMae, Double.POSITIVE_INFINITY);
        for (double penalty : PENALTIES) {
            INDArray weights = InvertMatrix.invert(gram.add(Nd4j.eye(p).castTo(DataType.DOUBLE).muli(penalty * trainX.rows())), false)
                    .mmul(moment);
            INDArray validationPrediction = validationX.mmul(weights).addRowVector(yMean);
            INDArray testPrediction = null;
            for (int j = 0; j < outputs; j++) {
                double mae = Transforms.meanAbsDifference(validationPrediction.getColumn(j), validationY.getColumn(j));
                if (mae < bestMae[j]) {
                    bestMae[j] = mae;
                    if (testPrediction == null) {
                        testPrediction = testX.mmul(weights).addRowVector(yMean);
                    }
                    double[] change = testPrediction.getColumn(j).toDoubleVector();
                    for (int t = split.testFrom(); t < split.testTo(); t++) {
                        double idle = series.idle()[t] + change[t - split.testFrom()] * series.totalCores();
                        result[j][t - split.testFrom()] = Math.max(0, Math.min(series.totalCores(), idle));
                    }
                }
            }
        }
        return result;
    }

    private static INDArray design(Features features, History history, int from, int to, int p) {
        int rows = to - from;
        float[] x = new float[rows * p];
        for (int r = 0; r < rows; r++) {
            features.extract(history, from + r, x, r * p);
        }
        return Nd4j.create(x, new long[] {rows, p}, 'c').castTo(DataType.DOUBLE);
    }

    private static INDArray targets(Features features, History history, int from, int to, int outputs) {
        int rows = to - from;
        float[] y = new float[rows * outputs];
        for (int r = 0; r < rows; r++) {
            features.targets(history, from + r, y, r * outputs);
        }
        return Nd4j.create(y, new long[] {rows, outputs}, 'c').castTo(DataType.DOUBLE);
    }

    private static INDArray standardise(INDArray x, INDArray mean, INDArray std) {
        return x.subiRowVector(mean).diviRowVector(std);
    }

    /** Small helpers kept here so that the class reads top to bottom. */
    private static final class Transforms {
        static double meanAbsDifference(INDArray a, INDArray b) {
            return org.nd4j.linalg.ops.transforms.Transforms.abs(a.sub(b)).meanNumber().doubleValue();
        }
    }
}
