package io.shatter.predictor;

/**
 * A plain-Java forward pass of the trained multilayer perceptron (ReLU hidden layers, identity
 * output), copied from the DL4J network's weights. One forecast costs a few thousand
 * multiply-adds with no native call or allocation, which keeps the broker's scheduling path far
 * under a millisecond; DL4J is still what trains and batch-evaluates the model.
 */
final class DenseNetwork {
    private final float[][] weights; // per layer, [in * out], row-major by input
    private final float[][] biases;
    private final int[] sizes;
    private final float[][] activations;

    /** {@code weights[l]} is {@code sizes[l] x sizes[l+1]} row-major; hidden layers use ReLU. */
    DenseNetwork(int[] sizes, float[][] weights, float[][] biases) {
        this.sizes = sizes.clone();
        this.weights = weights;
        this.biases = biases;
        this.activations = new float[sizes.length][];
        for (int l = 0; l < sizes.length; l++) {
            activations[l] = new float[sizes[l]];
        }
    }

    int inputs() {
        return sizes[0];
    }

    int outputs() {
        return sizes[sizes.length - 1];
    }

    /** Output for {@code input}; the returned array is reused by the next call. Not thread-safe. */
    float[] forward(float[] input) {
        System.arraycopy(input, 0, activations[0], 0, sizes[0]);
        for (int l = 0; l < weights.length; l++) {
            float[] in = activations[l];
            float[] out = activations[l + 1];
            float[] w = weights[l];
            int nOut = sizes[l + 1];
            System.arraycopy(biases[l], 0, out, 0, nOut);
            for (int i = 0; i < in.length; i++) {
                float x = in[i];
                if (x == 0f) {
                    continue;
                }
                int row = i * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[j] += x * w[row + j];
                }
            }
            if (l < weights.length - 1) {
                for (int j = 0; j < nOut; j++) {
                    if (out[j] < 0f) {
                        out[j] = 0f;
                    }
                }
            }
        }
        return activations[activations.length - 1];
    }
}
