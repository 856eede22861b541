package io.shatter.predictor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The on-disk model format (no Java serialization), big-endian:
 * <pre>
 *   8 bytes  magic "SHTRPRED"
 *   int      format version ({@value #FORMAT_VERSION})
 *   int+utf8 metadata, "key=value" lines (feature set, step, horizons, normalisation, layer sizes)
 *   int+utf8 the DL4J network configuration as JSON
 *   per layer: int rows, int cols, rows*cols floats of W (row-major by input), cols floats of b
 *   long     CRC-32 of every byte before it
 * </pre>
 * Reading checks the magic, the version and the checksum before anything else, so a file from
 * another version or a truncated or corrupt file fails with a clear message. Files are written to
 * a temporary name and renamed, so a crash never leaves half a model.
 */
final class ModelFile {
    static final byte[] MAGIC = "SHTRPRED".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 2; // 2: queue models gained arrival and overdue channels
    private static final int MAX_TEXT = 16 << 20;

    /** What a model file holds. */
    record Contents(ModelMetadata metadata, String networkJson, int[] sizes, float[][] weights, float[][] biases) {
    }

    private ModelFile() {
    }

    static void write(Path file, Contents contents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeText(out, metadataText(contents.metadata()));
            writeText(out, contents.networkJson());
            out.writeInt(contents.weights().length);
            for (int l = 0; l < contents.weights().length; l++) {
                int rows = contents.sizes()[l];
                int cols = contents.sizes()[l + 1];
                out.writeInt(rows);
                out.writeInt(cols);
                for (float w : contents.weights()[l]) {
                    out.writeFloat(w);
                }
                for (float b : contents.biases()[l]) {
                    out.writeFloat(b);
                }
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new IllegalStateException(e); // in-memory stream
        }
        try {
            Path absolute = file.toAbsolutePath();
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                bytes.writeTo(out);
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PredictorException("Cannot write model file " + file + ": " + e.getMessage() + ".", e);
        }
    }

    static Contents read(Path file) {
        byte[] all;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            all = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new PredictorException("Model file " + file + " does not exist.");
        } catch (IOException e) {
            throw new PredictorException("Cannot read model file " + file + ": " + e.getMessage() + ".", e);
        }
        if (all.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new PredictorException("File " + file + " is not a Shatter predictor model (it does not start with the "
                    + "model file signature). Pass a file written by 'shatter predictor train --out'.");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new PredictorException("Model file " + file + " has model format version " + version
                        + ", but this version of Shatter reads only version " + FORMAT_VERSION
                        + ". Retrain it with this version ('shatter predictor train').");
            }
            if (all.length < MAGIC.length + 4 + 8) {
                throw corrupt(file, "it is truncated");
            }
            CRC32 crc = new CRC32();
            crc.update(all, 0, all.length - 8);
            long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
            if (stored != crc.getValue()) {
                throw corrupt(file, "its checksum does not match (truncated or modified)");
            }
            Map<String, String> meta = parseMetadata(readText(in));
            String json = readText(in);
            int layers = in.readInt();
            if (layers < 1 || layers > 64) {
                throw corrupt(file, "it declares " + layers + " layers");
            }
            int[] sizes = new int[layers + 1];
            float[][] weights = new float[layers][];
            float[][] biases = new float[layers][];
            for (int l = 0; l < layers; l++) {
                int rows = in.readInt();
                int cols = in.readInt();
                if (rows <= 0 || cols <= 0 || (long) rows * cols > 1 << 24 || (l > 0 && rows != sizes[l])
                        || ((long) rows * cols + cols) * Float.BYTES > in.available()) { // checked before allocating
                    throw corrupt(file, "layer " + l + " has an impossible shape " + rows + "x" + cols);
                }
                sizes[l] = rows;
                sizes[l + 1] = cols;
                weights[l] = readFloats(in, rows * cols);
                biases[l] = readFloats(in, cols);
            }
            ModelMetadata metadata = metadata(meta, file);
            if (metadata.featureMean().length != sizes[0] || metadata.horizonMinutes().length != sizes[layers]) {
                throw corrupt(file, "its layer sizes do not match its inputs and horizons");
            }
            return new Contents(metadata, json, sizes, weights, biases);
        } catch (EOFException e) {
            throw corrupt(file, "it is truncated");
        } catch (IOException e) {
            throw new PredictorException("Cannot read model file " + file + ": " + e.getMessage() + ".", e);
        } catch (PredictorException e) {
            throw e;
        } catch (RuntimeException e) {
            // The checksum passed, so this is a file crafted or written by a broken build: still one clear message.
            throw corrupt(file, "it cannot be decoded (" + e + ")");
        }
    }

    private static PredictorException corrupt(Path file, String why) {
        return new PredictorException("Model file " + file + " is corrupt: " + why
                + ". Retrain it ('shatter predictor train') or restore it from a copy.");
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_TEXT || length > in.available()) { // a ByteArrayInputStream knows what is left
            throw new EOFException();
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }

    private static String metadataText(ModelMetadata m) {
        StringBuilder s = new StringBuilder();
        s.append("featureSet=").append(m.featureSet().name()).append('\n');
        s.append("stepSeconds=").append(m.stepSeconds()).append('\n');
        s.append("horizonMinutes=").append(join(m.horizonMinutes())).append('\n');
        s.append("featureMean=").append(join(m.featureMean())).append('\n');
        s.append("featureStd=").append(join(m.featureStd())).append('\n');
        s.append("targetScale=").append(join(m.targetScale())).append('\n');
        s.append("validationMae=").append(join(m.validationMae())).append('\n');
        s.append("hiddenSizes=").append(join(m.hiddenSizes())).append('\n');
        s.append("trainedOn=").append(m.trainedOn().replace('\n', ' ')).append('\n');
        s.append("trainingCores=").append(m.trainingCores()).append('\n');
        return s.toString();
    }

    private static Map<String, String> parseMetadata(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                map.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return map;
    }

    private static ModelMetadata metadata(Map<String, String> m, Path file) {
        try {
            return new ModelMetadata(FeatureSet.valueOf(m.get("featureSet")), Integer.parseInt(m.get("stepSeconds")),
                    ints(m.get("horizonMinutes")), floats(m.get("featureMean")), floats(m.get("featureStd")),
                    floats(m.get("targetScale")), floats(m.get("validationMae")), ints(m.get("hiddenSizes")),
                    m.getOrDefault("trainedOn", "?"), Integer.parseInt(m.get("trainingCores")));
        } catch (RuntimeException e) {
            throw corrupt(file, "its metadata is incomplete or unreadable");
        }
    }

    private static String join(int[] values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(values[i]);
        }
        return s.toString();
    }

    private static String join(float[] values) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ",").append(Float.toString(values[i]));
        }
        return s.toString();
    }

    private static int[] ints(String s) {
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static float[] floats(String s) {
        String[] parts = s.isEmpty() ? new String[0] : s.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Float.parseFloat(parts[i]);
        }
        return values;
    }
}
