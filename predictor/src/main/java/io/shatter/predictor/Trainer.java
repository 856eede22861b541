package io.shatter.predictor;

import java.util.Arrays;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Trains a {@link CapacityModel} on a series: a multilayer perceptron (DL4J, CPU) with L1 loss
 * (the evaluation metric is MAE, whose best constant is the median: mostly "no change"), on the
 * first 70% of the series, keeping the weights of the epoch with the best validation score (the
 * next 10%). Minibatches are shuffled with a seeded generator inside the training period only, so
 * a run is reproducible.
 */
public final class Trainer {

    /**
     * Training settings.
     *
     * @param featureSet     inputs to use
     * @param horizonMinutes horizons to forecast, each a multiple of the step
     * @param hiddenSizes    hidden layer widths
     * @param epochs         maximum passes over the training period
     * @param patience       stop after this many epochs without a better validation score
     * @param batchSize      minibatch rows
     * @param learningRate   Adam's learning rate
     * @param seed           seed of weights and shuffling
     * @param target         what to forecast at each horizon
     */
    public record Config(FeatureSet featureSet, int[] horizonMinutes, int[] hiddenSizes, int epochs, int patience,
                         int batchSize, double learningRate, long seed, ForecastTarget target) {
        /** The defaults the command line uses. */
        public static Config defaults() {
            return new Config(FeatureSet.QUEUE, new int[] {5, 30, 120}, new int[] {64, 64}, 30, 6, 512, 1e-3, 42,
                    ForecastTarget.PATH_MINIMUM);
        }

        /** A copy with another target. */
        public Config withTarget(ForecastTarget value) {
            return new Config(featureSet, horizonMinutes, hiddenSizes, epochs, patience, batchSize, learningRate, seed, value);
        }

        /** A copy with other epochs. */
        public Config withEpochs(int value) {
            return new Config(featureSet, horizonMinutes, hiddenSizes, value, patience, batchSize, learningRate, seed, target);
        }

        /** A copy with other inputs. */
        public Config withFeatureSet(FeatureSet value) {
            return new Config(value, horizonMinutes, hiddenSizes, epochs, patience, batchSize, learningRate, seed, target);
        }

        /** A copy with other horizons. */
        public Config withHorizons(int[] value) {
            return new Config(featureSet, value, hiddenSizes, epochs, patience, batchSize, learningRate, seed, target);
        }

        /** A copy with other hidden layers. */
        public Config withHiddenSizes(int[] value) {
            return new Config(featureSet, horizonMinutes, value, epochs, patience, batchSize, learningRate, seed, target);
        }

        /** A copy with another seed. */
        public Config withSeed(long value) {
            return new Config(featureSet, horizonMinutes, hiddenSizes, epochs, patience, batchSize, learningRate, value, target);
        }
    }

    /** Training progress, for a progress bar. */
    public interface Progress {
        /** Training starts: {@code totalBatches} minibatches at most. */
        default void begin(long totalBatches) {
        }

        /** One minibatch done. */
        default void batchDone() {
        }

        /**
         * An epoch is done; {@code validationScore} is the model's validation MAE over persistence's,
         * averaged over horizons (lower is better).
         */
        default void epochDone(int epoch, double validationScore, boolean best) {
        }

        /** Ignores everything. */
        Progress NONE = new Progress() {
        };
    }

    /**
     * A trained model and how training went.
     *
     * @param model          the model (weights of the best epoch)
     * @param epochsRun      epochs run
     * @param bestEpoch      epoch whose weights were kept (1-based)
     * @param bestValidation best validation score (model MAE / persistence MAE, mean over horizons)
     * @param trainSamples   training rows
     */
    public record Result(CapacityModel model, int epochsRun, int bestEpoch, double bestValidation, int trainSamples) {
    }

    private Trainer() {
    }

    /** Trains on {@code series} (see the class comment for the protocol). */
    public static Result train(CapacitySeries series, Config config, Progress progress) {
        if (config.featureSet() == FeatureSet.QUEUE && !series.hasQueue()) {
            throw new PredictorException("Trace " + series.source() + " is a capacity history, which has no queue details: "
                    + "train with --features capacity.");
        }
        int[] horizonSteps = horizonSteps(config.horizonMinutes(), series.stepSeconds());
        Features features = new Features(config.featureSet(), series.stepSeconds(), horizonSteps, config.target());
        int maxHorizon = Arrays.stream(horizonSteps).max().orElseThrow();
        TimeSplit split = TimeSplit.of(series, features.historySteps(), maxHorizon);
        History history = History.of(series);
        int inputs = features.count();
        int outputs = horizonSteps.length;

        Matrix train = rows(features, history, split.trainFrom(), split.trainTo(), inputs, outputs);
        Matrix validation = rows(features, history, split.validationFrom(), split.validationTo(), inputs, outputs);
        float[] mean = new float[inputs];
        float[] std = new float[inputs];
        standardisation(train, mean, std);
        float[] targetScale = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            double sum = 0;
            for (int r = 0; r < train.rows; r++) {
                sum += Math.abs(train.y[r * outputs + j]);
            }
            // Scale each horizon's change to unit mean size so that L1 weighs horizons alike.
            targetScale[j] = (float) Math.max(1e-4, sum / train.rows);
        }
        standardise(train, mean, std, targetScale);
        standardise(validation, mean, std, targetScale);

        MultiLayerNetwork network = new MultiLayerNetwork(configuration(inputs, outputs, config));
        network.init();
        INDArray validationX = Nd4j.create(validation.x, new long[] {validation.rows, inputs}, 'c');
        double[] persistenceMae = new double[outputs];
        for (int j = 0; j < outputs; j++) {
            persistenceMae[j] = meanAbs(validation.y, outputs, j, null);
        }

        int batches = (train.rows + config.batchSize() - 1) / config.batchSize();
        progress.begin((long) batches * config.epochs());
        Random shuffle = new Random(config.seed());
        int[] order = new int[train.rows];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double best = Double.POSITIVE_INFINITY;
        INDArray bestParams = null;
        int bestEpoch = 0;
        int epoch = 0;
        float[] bx = new float[config.batchSize() * inputs];
        float[] by = new float[config.batchSize() * outputs];
        while (epoch < config.epochs() && epoch - bestEpoch < config.patience()) {
            epoch++;
            shuffle(order, shuffle);
            for (int b = 0; b < batches; b++) {
                int from = b * config.batchSize();
                int rows = Math.min(config.batchSize(), train.rows - from);
                for (int r = 0; r < rows; r++) {
                    int row = order[from + r];
                    System.arraycopy(train.x, row * inputs, bx, r * inputs, inputs);
                    System.arraycopy(train.y, row * outputs, by, r * outputs, outputs);
                }
                INDArray x = Nd4j.create(Arrays.copyOf(bx, rows * inputs), new long[] {rows, inputs}, 'c');
                INDArray y = Nd4j.create(Arrays.copyOf(by, rows * outputs), new long[] {rows, outputs}, 'c');
                network.fit(new DataSet(x, y));
                progress.batchDone();
            }
            float[] predicted = network.output(validationX).castTo(DataType.FLOAT).data().asFloat();
            double score = 0;
            for (int j = 0; j < outputs; j++) {
                score += meanAbs(validation.y, outputs, j, predicted) / Math.max(1e-12, persistenceMae[j]);
            }
            score /= outputs;
            boolean improved = score < best;
            if (improved) {
                best = score;
                bestEpoch = epoch;
                bestParams = network.params().dup();
            }
            progress.epochDone(epoch, score, improved);
        }
        network.setParams(bestParams);

        float[] predicted = network.output(validationX).castTo(DataType.FLOAT).data().asFloat();
        float[] validationMae = new float[outputs];
        float[] outputScale = new float[outputs];
        for (int j = 0; j < outputs; j++) {
            float shrink = bestShrinkage(validation.y, outputs, j, predicted);
            outputScale[j] = targetScale[j] * shrink;
            float[] shrunk = predicted.clone();
            for (int r = j; r < shrunk.length; r += outputs) {
                shrunk[r] *= shrink;
            }
            validationMae[j] = (float) (meanAbs(validation.y, outputs, j, shrunk) * targetScale[j]);
        }
        ModelMetadata metadata = new ModelMetadata(config.featureSet(), series.stepSeconds(), config.horizonMinutes().clone(),
                mean, std, outputScale, validationMae, config.hiddenSizes().clone(), series.source(), series.totalCores(),
                config.target(), new io.shatter.predictor.survival.Calibration.Identity(), java.util.Optional.empty());
        return new Result(CapacityModel.of(metadata, network), epoch, bestEpoch, best, train.rows);
    }

    static int[] horizonSteps(int[] minutes, int stepSeconds) {
        if (minutes.length == 0) {
            throw new PredictorException("No forecast horizon given.");
        }
        int[] steps = new int[minutes.length];
        for (int i = 0; i < minutes.length; i++) {
            if (minutes[i] <= 0 || (minutes[i] * 60) % stepSeconds != 0 || minutes[i] * 60 > 86400) {
                throw new PredictorException("Horizon " + minutes[i] + " min is not a positive multiple of the "
                        + stepSeconds / 60.0 + "-minute step of at most a day.");
            }
            steps[i] = minutes[i] * 60 / stepSeconds;
        }
        return steps;
    }

    private static MultiLayerConfiguration configuration(int inputs, int outputs, Config config) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(config.learningRate()))
                .list();
        int in = inputs;
        for (int width : config.hiddenSizes()) {
            list.layer(new DenseLayer.Builder().nIn(in).nOut(width).activation(Activation.RELU).build());
            in = width;
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.L1).nIn(in).nOut(outputs)
                .activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER).build());
        return list.build();
    }

    /** Rows of features and targets, row-major. */
    private record Matrix(int rows, float[] x, float[] y) {
    }

    private static Matrix rows(Features features, History history, int from, int to, int inputs, int outputs) {
        int rows = Math.max(0, to - from);
        float[] x = new float[rows * inputs];
        float[] y = new float[rows * outputs];
        for (int r = 0; r < rows; r++) {
            features.extract(history, from + r, x, r * inputs);
            features.targets(history, from + r, y, r * outputs);
        }
        return new Matrix(rows, x, y);
    }

    private static void standardisation(Matrix m, float[] mean, float[] std) {
        int inputs = mean.length;
        double[] sum = new double[inputs];
        double[] sumSq = new double[inputs];
        for (int r = 0; r < m.rows; r++) {
            for (int i = 0; i < inputs; i++) {
                double v = m.x[r * inputs + i];
                sum[i] += v;
                sumSq[i] += v * v;
            }
        }
        for (int i = 0; i < inputs; i++) {
            double mu = sum[i] / m.rows;
            double variance = Math.max(0, sumSq[i] / m.rows - mu * mu);
            mean[i] = (float) mu;
            std[i] = (float) Math.max(1e-6, Math.sqrt(variance)); // constant inputs stay 0
        }
    }

    private static void standardise(Matrix m, float[] mean, float[] std, float[] targetScale) {
        int inputs = mean.length;
        int outputs = targetScale.length;
        for (int r = 0; r < m.rows; r++) {
            for (int i = 0; i < inputs; i++) {
                m.x[r * inputs + i] = (m.x[r * inputs + i] - mean[i]) / std[i];
            }
            for (int j = 0; j < outputs; j++) {
                m.y[r * outputs + j] /= targetScale[j];
            }
        }
    }

    /**
     * The factor in [0, 1] on the forecast change of column j that gives the lowest validation MAE:
     * where the network's changes are mostly noise (the 5-minute horizon, on step-like series) this
     * pulls it towards persistence instead of letting it lose to it. Chosen on validation, never test.
     */
    private static float bestShrinkage(float[] y, int outputs, int j, float[] predicted) {
        int rows = y.length / outputs;
        float best = 1f;
        double bestMae = Double.POSITIVE_INFINITY;
        for (int step = 0; step <= 20; step++) {
            float factor = step / 20f;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += Math.abs(y[r * outputs + j] - factor * predicted[r * outputs + j]);
            }
            if (sum < bestMae - 1e-9) {
                bestMae = sum;
                best = factor;
            }
        }
        return best;
    }

    /** Mean |target - predicted| of column j ({@code predicted} null: persistence, i.e. 0 change). */
    private static double meanAbs(float[] y, int outputs, int j, float[] predicted) {
        int rows = y.length / outputs;
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            float p = predicted == null ? 0f : predicted[r * outputs + j];
            sum += Math.abs(y[r * outputs + j] - p);
        }
        return sum / Math.max(1, rows);
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int k = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[k];
            order[k] = tmp;
        }
    }
}
