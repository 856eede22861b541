package io.shatter.predictor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every single-byte change and every truncation of a model file is refused with the predictor's
 * clear error, or harmless (the very same model is read): no other exception, no altered model.
 */
class ModelFileCorruptionTest {
    @TempDir
    Path dir;

    private static ModelFile.Contents sample() {
        ModelMetadata meta = new ModelMetadata(FeatureSet.values()[0], 60, new int[] {5, 30}, new float[] {0.1f, 0.2f, 0.3f},
                new float[] {1f, 2f, 3f}, new float[] {0.5f, 0.25f}, new float[] {0.01f, 0.02f}, new int[] {4}, "trace.swf", 128);
        int[] sizes = {3, 4, 2};
        float[][] weights = {new float[12], new float[8]};
        float[][] biases = {new float[4], new float[2]};
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < weights[l].length; i++) {
                weights[l][i] = (l + 1) * 0.5f - i * 0.125f;
            }
            Arrays.fill(biases[l], 0.25f * l);
        }
        return new ModelFile.Contents(meta, "{\"layers\":2}", sizes, weights, biases);
    }

    private static boolean same(ModelFile.Contents a, ModelFile.Contents b) {
        ModelMetadata x = a.metadata();
        ModelMetadata y = b.metadata();
        return x.featureSet() == y.featureSet() && x.stepSeconds() == y.stepSeconds() && Arrays.equals(x.horizonMinutes(), y.horizonMinutes())
                && Arrays.equals(x.featureMean(), y.featureMean()) && Arrays.equals(x.featureStd(), y.featureStd())
                && Arrays.equals(x.targetScale(), y.targetScale()) && Arrays.equals(x.validationMae(), y.validationMae())
                && Arrays.equals(x.hiddenSizes(), y.hiddenSizes()) && x.trainedOn().equals(y.trainedOn())
                && x.trainingCores() == y.trainingCores() && a.networkJson().equals(b.networkJson()) && Arrays.equals(a.sizes(), b.sizes())
                && Arrays.deepEquals(a.weights(), b.weights()) && Arrays.deepEquals(a.biases(), b.biases());
    }

    /** detected, harmless, altered, escaped */
    private int trial(Path file, byte[] bytes, ModelFile.Contents expected) throws IOException {
        Files.write(file, bytes);
        try {
            return same(ModelFile.read(file), expected) ? 1 : 2;
        } catch (PredictorException e) {
            return e.getMessage().contains(file.toString()) ? 0 : 3;
        } catch (RuntimeException | Error e) {
            System.out.println("escaped: " + e);
            return 3;
        }
    }

    @Test
    void everySingleByteFlipAndEveryTruncationIsRefusedOrHarmless() throws IOException {
        Path file = dir.resolve("m.model");
        ModelFile.Contents contents = sample();
        ModelFile.write(file, contents);
        byte[] original = Files.readAllBytes(file);
        assertEquals(1, trial(file, original, contents), "the intact file reads back the same");

        int[] flips = new int[4];
        for (int at = 0; at < original.length; at++) {
            for (int mask : Boolean.getBoolean("shatter.fuzz.full") ? new int[] {0xFF, 0x01, 0x80} : new int[] {0xFF}) {
                byte[] corrupted = original.clone();
                corrupted[at] ^= (byte) mask;
                flips[trial(file, corrupted, contents)]++;
            }
        }
        int[] truncations = new int[4];
        for (int length = 0; length < original.length; length++) {
            truncations[trial(file, Arrays.copyOf(original, length), contents)]++;
        }
        System.out.println("model file of " + original.length + " bytes: " + (flips[0] + flips[1] + flips[2] + flips[3]) + " byte flips: " + flips[0]
                + " detected, " + flips[1] + " harmless, " + flips[2] + " silently altered, " + flips[3] + " escaped; "
                + original.length + " truncations: " + truncations[0] + " detected, " + truncations[1] + " harmless, "
                + truncations[2] + " silently altered, " + truncations[3] + " escaped");
        assertEquals(0, flips[2] + flips[3], "flips altering the model or escaping");
        assertEquals(original.length, truncations[0], "every truncation refused");
    }

    /** A file whose checksum is right but whose claimed sizes are not (crafted): refused before anything is allocated. */
    @Test
    void aCraftedLayerShapeIsRefusedBeforeAllocating() throws IOException {
        Path file = dir.resolve("m.model");
        ModelFile.write(file, sample());
        byte[] bytes = Files.readAllBytes(file);
        int layers = indexOfLayerCount(bytes);
        java.nio.ByteBuffer.wrap(bytes).putInt(layers + 4, 4096).putInt(layers + 8, 4096); // 16 M weights, 64 MB claimed
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        java.nio.ByteBuffer.wrap(bytes).putLong(bytes.length - 8, crc.getValue());
        Files.write(file, bytes);
        PredictorException e = org.junit.jupiter.api.Assertions.assertThrows(PredictorException.class, () -> ModelFile.read(file));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("impossible shape 4096x4096"), e.getMessage());
    }

    /** Where the layer count sits: after the magic, the version and the two length-prefixed texts. */
    private static int indexOfLayerCount(byte[] bytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        int at = ModelFile.MAGIC.length + 4;
        at += 4 + b.getInt(at);
        at += 4 + b.getInt(at);
        return at;
    }
}
