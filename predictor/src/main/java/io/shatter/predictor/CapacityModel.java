package io.shatter.predictor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained idle-core forecaster: a DL4J multilayer perceptron over {@link Features}, predicting
 * the change of the idle fraction at each horizon, plus what it needs to rebuild its inputs.
 * Batch forecasts (evaluation) go through DL4J; single forecasts (the broker) through a plain-Java
 * copy of the same weights, so loading a model for the broker needs no native library.
 */
public final class CapacityModel {
    private final ModelMetadata metadata;
    private final String networkJson;
    private final int[] sizes;
    private final float[][] weights;
    private final float[][] biases;
    private final DenseNetwork dense;
    private final Features features;
    private MultiLayerNetwork network;

    private CapacityModel(ModelFile.Contents contents, MultiLayerNetwork network) {
        this.metadata = contents.metadata();
        this.networkJson = contents.networkJson();
        this.sizes = contents.sizes();
        this.weights = contents.weights();
        this.biases = contents.biases();
        this.dense = new DenseNetwork(sizes, weights, biases);
        this.features = new Features(metadata.featureSet(), metadata.stepSeconds(), metadata.horizonSteps(), metadata.target());
        this.network = network;
    }

    /** Wraps a trained DL4J network of dense layers. */
    static CapacityModel of(ModelMetadata metadata, MultiLayerNetwork network) {
        int layers = network.getnLayers();
        int[] sizes = new int[layers + 1];
        float[][] weights = new float[layers][];
        float[][] biases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            INDArray w = network.getLayer(l).getParam("W"); // [nIn, nOut]
            sizes[l] = (int) w.rows();
            sizes[l + 1] = (int) w.columns();
            float[][] matrix = w.toFloatMatrix();
            float[] flat = new float[sizes[l] * sizes[l + 1]];
            for (int i = 0; i < matrix.length; i++) {
                System.arraycopy(matrix[i], 0, flat, i * sizes[l + 1], sizes[l + 1]);
            }
            weights[l] = flat;
            biases[l] = network.getLayer(l).getParam("b").toFloatVector();
        }
        String json = network.getLayerWiseConfigurations().toJson();
        return new CapacityModel(new ModelFile.Contents(metadata, json, sizes, weights, biases), network);
    }

    /** Loads a model file; fails with a {@link PredictorException} if it is not a valid model of this version. */
    public static CapacityModel load(Path file) {
        return new CapacityModel(ModelFile.read(file), null);
    }

    /** The same network with other metadata (calibration, training trace; never the shapes). */
    public CapacityModel withMetadata(ModelMetadata value) {
        return new CapacityModel(new ModelFile.Contents(value, networkJson, sizes, weights, biases), network);
    }

    /** Saves to {@code file} (atomically). */
    public void save(Path file) {
        ModelFile.write(file, new ModelFile.Contents(metadata, networkJson, sizes, weights, biases));
    }

    /** The model's description. */
    public ModelMetadata metadata() {
        return metadata;
    }

    /** Forecast horizons in minutes. */
    public int[] horizonMinutes() {
        return metadata.horizonMinutes().clone();
    }

    /** Fails with a clear message unless the model forecasts exactly {@code wanted} (minutes). */
    public void requireHorizons(int[] wanted, String modelName) {
        if (!Arrays.equals(metadata.horizonMinutes(), wanted)) {
            throw new PredictorException("Model " + modelName + " forecasts horizons " + minutes(metadata.horizonMinutes())
                    + " but horizons " + minutes(wanted) + " were asked for. Use a model trained for those horizons "
                    + "('shatter predictor train --horizons ...') or ask for the model's own.");
        }
    }

    /** Fails with a clear message unless the model can be fed {@code series}. */
    void requireCompatible(CapacitySeries series, String modelName) {
        if (series.stepSeconds() != metadata.stepSeconds()) {
            throw new PredictorException("Model " + modelName + " was trained on " + metadata.stepSeconds() / 60.0
                    + "-minute steps but the trace is sampled every " + series.stepSeconds() / 60.0
                    + " minutes. Pass --step " + metadata.stepSeconds() / 60 + ".");
        }
        if (metadata.featureSet() == FeatureSet.QUEUE && !series.hasQueue()) {
            throw new PredictorException("Model " + modelName + " uses queue details (running jobs' limits, waiting jobs) "
                    + "that only SWF logs carry, but " + series.source() + " is a capacity history. Use a model trained "
                    + "with --features capacity.");
        }
    }

    private static String minutes(int[] values) {
        return Arrays.stream(values).mapToObj(v -> v + " min").collect(Collectors.joining(", ", "[", "]"));
    }

    Features features() {
        return features;
    }

    int inputCount() {
        return sizes[0];
    }

    /**
     * Forecast idle-fraction changes at each horizon from step {@code t} of {@code history}, with
     * the plain-Java network; {@code scratch} must hold {@link #inputCount()} floats.
     */
    float[] forecastChanges(History history, int t, float[] scratch, float[] out) {
        features.extract(history, t, scratch, 0);
        standardise(scratch, 0);
        float[] y = dense.forward(scratch);
        for (int j = 0; j < out.length; j++) {
            out[j] = y[j] * metadata.targetScale()[j];
        }
        return out;
    }

    void standardise(float[] rows, int offset) {
        float[] mean = metadata.featureMean();
        float[] std = metadata.featureStd();
        for (int i = 0; i < mean.length; i++) {
            rows[offset + i] = (rows[offset + i] - mean[i]) / std[i];
        }
    }

    /**
     * Forecast idle cores, {@code [horizon][t - from]}, for steps {@code from <= t < to} of
     * {@code series}, batched through the DL4J network; clamped to {@code [0, totalCores]}.
     */
    public double[][] forecastIdle(CapacitySeries series, int from, int to) {
        requireCompatible(series, metadata.trainedOn());
        History history = History.of(series);
        int inputs = inputCount();
        int horizons = metadata.horizonMinutes().length;
        double[][] result = new double[horizons][to - from];
        int batch = 4096;
        MultiLayerNetwork net = network();
        for (int start = from; start < to; start += batch) {
            int rows = Math.min(batch, to - start);
            float[] x = new float[rows * inputs];
            for (int r = 0; r < rows; r++) {
                features.extract(history, start + r, x, r * inputs);
                standardise(x, r * inputs);
            }
            INDArray out = net.output(Nd4j.create(x, new long[] {rows, inputs}, 'c'));
            float[][] y = out.toFloatMatrix();
            for (int r = 0; r < rows; r++) {
                int t = start + r;
                for (int j = 0; j < horizons; j++) {
                    double idle = series.idle()[t] + y[r][j] * metadata.targetScale()[j] * series.totalCores();
                    result[j][t - from] = Math.max(0, Math.min(series.totalCores(), idle));
                }
            }
        }
        return result;
    }

    /** The DL4J network, rebuilt from the file's configuration and weights on first use. */
    synchronized MultiLayerNetwork network() {
        if (network == null) {
            MultiLayerNetwork net;
            try {
                net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(networkJson));
                net.init();
            } catch (RuntimeException e) {
                throw new PredictorException("Model " + metadata.trainedOn() + " has a network configuration this "
                        + "version cannot read (" + e.getMessage() + "). Retrain it with this version.", e);
            }
            for (int l = 0; l < weights.length; l++) {
                net.getLayer(l).setParam("W", Nd4j.create(weights[l], new long[] {sizes[l], sizes[l + 1]}, 'c').castTo(DataType.FLOAT));
                net.getLayer(l).setParam("b", Nd4j.create(biases[l], new long[] {1, sizes[l + 1]}, 'c').castTo(DataType.FLOAT));
            }
            network = net;
        }
        return network;
    }
}
