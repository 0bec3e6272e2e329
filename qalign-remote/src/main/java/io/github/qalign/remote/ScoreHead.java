package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * A reward model's linear score head: one row of a {@code LlamaForSequenceClassification} checkpoint's
 * {@code score.weight} ({@code [num_labels, hidden]}), applied to the final hidden state of the last token that a
 * server returns (llama.cpp {@code --embeddings --pooling last}): {@code r = w . h}, in double precision.
 *
 * <p>Read without any tensor library: the safetensors header (8-byte little-endian length, then JSON) and only that
 * tensor's bytes; F32, F16 and BF16 are accepted; sharded checkpoints are followed through
 * {@code model.safetensors.index.json}. Bounded: the header may be at most {@value #MAX_HEADER_BYTES} bytes and the
 * row at most {@value #MAX_HIDDEN} values; every offset is checked against the file size; weights must be finite.
 */
public final class ScoreHead {

    /** Largest safetensors header accepted. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** Largest hidden size accepted. */
    public static final int MAX_HIDDEN = 1 << 20;
    /** The tensor name of the score head in Hugging Face sequence-classification checkpoints. */
    public static final String TENSOR = "score.weight";

    private final float[] weights;
    private final Path source;

    private ScoreHead(float[] weights, Path source) {
        this.weights = weights;
        this.source = source;
    }

    /**
     * A head with the given weights (tests, or heads obtained elsewhere).
     *
     * @param weights the row, finite, not empty
     * @return the head
     */
    public static ScoreHead of(float... weights) {
        Objects.requireNonNull(weights, "weights");
        if (weights.length == 0 || weights.length > MAX_HIDDEN) {
            throw new IllegalArgumentException("a score head needs 1.." + MAX_HIDDEN + " weights, got "
                    + weights.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new IllegalArgumentException("score head weight " + i + " is " + weights[i]);
            }
        }
        return new ScoreHead(weights.clone(), null);
    }

    /**
     * Reads row {@code label} of {@code score.weight} from a checkpoint.
     *
     * @param path  the checkpoint folder ({@code model.safetensors} or a sharded index) or a safetensors file
     * @param label the row (0 for a one-label Bradley–Terry model)
     * @return the head
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ScoreHead read(Path path, int label) {
        Objects.requireNonNull(path, "path");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
        Path file = path;
        if (Files.isDirectory(path)) {
            Path single = path.resolve("model.safetensors");
            Path index = path.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                file = single;
            } else if (Files.isRegularFile(index)) {
                JsonNode idx = ModelFiles.readJsonCapped(index, 64L << 20);
                JsonNode map = idx.get("weight_map");
                JsonNode shard = map == null ? null : map.get(TENSOR);
                if (shard == null || !shard.isTextual()) {
                    throw new IllegalArgumentException(index + " has no weight_map entry for '" + TENSOR
                            + "': is this a sequence-classification (reward) checkpoint?");
                }
                String name = shard.asText();
                if (name.contains("/") || name.contains("\\") || name.equals("..")) {
                    throw new IllegalArgumentException(index + ": shard name '" + name + "' must be a file name");
                }
                file = path.resolve(name);
            } else {
                throw new IllegalArgumentException(path + " has neither model.safetensors nor "
                        + "model.safetensors.index.json");
            }
        }
        return new ScoreHead(readRow(file, label), file);
    }

    private static float[] readRow(Path file, int label) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "file of " + size + " bytes is too short for a safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw bad(file, "header length " + headerLen + " is outside (0, min(" + MAX_HEADER_BYTES
                        + ", file size - 8)]");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                header = HttpJsonClient.JSON.readTree(hb.array());
            } catch (IOException e) {
                throw bad(file, "header is not valid JSON: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw bad(file, "header is not a JSON object");
            }
            JsonNode t = header.get(TENSOR);
            if (t == null || !t.isObject()) {
                throw bad(file, "no tensor '" + TENSOR + "': is this a sequence-classification (reward) checkpoint?");
            }
            String dtype = t.path("dtype").asText("");
            int width = switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw bad(file, "'" + TENSOR + "' has dtype '" + dtype + "'; expected F32, F16 or BF16");
            };
            JsonNode shape = t.get("shape");
            if (shape == null || !shape.isArray() || shape.size() != 2 || !shape.get(0).canConvertToInt()
                    || !shape.get(1).canConvertToInt()) {
                throw bad(file, "'" + TENSOR + "' shape " + shape + " is not [num_labels, hidden]");
            }
            int labels = shape.get(0).intValue();
            int hidden = shape.get(1).intValue();
            if (labels < 1 || hidden < 1 || hidden > MAX_HIDDEN || labels > MAX_HIDDEN) {
                throw bad(file, "'" + TENSOR + "' shape [" + labels + ", " + hidden + "] is out of bounds");
            }
            if (label >= labels) {
                throw bad(file, "label " + label + " requested, but '" + TENSOR + "' has " + labels + " rows");
            }
            JsonNode off = t.get("data_offsets");
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong()
                    || !off.get(1).canConvertToLong()) {
                throw bad(file, "'" + TENSOR + "' data_offsets " + off + " are not [begin, end]");
            }
            long begin = off.get(0).longValue();
            long end = off.get(1).longValue();
            long dataStart = 8 + headerLen;
            if (begin < 0 || end < begin || end - begin != (long) labels * hidden * width
                    || dataStart + end > size) {
                throw bad(file, "'" + TENSOR + "' data_offsets [" + begin + ", " + end + "] do not hold " + labels
                        + " x " + hidden + " " + dtype + " values within the file of " + size + " bytes");
            }
            ByteBuffer row = ByteBuffer.allocate(hidden * width).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, row, dataStart + begin + (long) label * hidden * width, file);
            row.flip();
            float[] w = new float[hidden];
            for (int i = 0; i < hidden; i++) {
                w[i] = switch (dtype) {
                    case "F32" -> row.getFloat();
                    case "BF16" -> Float.intBitsToFloat((row.getShort() & 0xffff) << 16);
                    default -> halfToFloat(row.getShort());
                };
                if (!Float.isFinite(w[i])) {
                    throw bad(file, "'" + TENSOR + "'[" + label + ", " + i + "] is " + w[i]);
                }
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw bad(file, "unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    /** IEEE 754 binary16 to float. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant / 1024f * 0x1p-14f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * The hidden size.
     *
     * @return the hidden size
     */
    public int hiddenSize() {
        return weights.length;
    }

    /**
     * A copy of the weights.
     *
     * @return a copy of the weights
     */
    public float[] weights() {
        return weights.clone();
    }

    /**
     * The file the head was read from, or null.
     *
     * @return the file, or null
     */
    public Path source() {
        return source;
    }

    /**
     * The score {@code w . h} in double precision.
     *
     * @param hidden the hidden state, of length {@link #hiddenSize()}
     * @return the score
     * @throws IllegalArgumentException if the length differs
     */
    public double apply(double[] hidden) {
        if (hidden.length != weights.length) {
            throw new IllegalArgumentException("hidden state has " + hidden.length + " values, the score head "
                    + weights.length);
        }
        double s = 0;
        for (int i = 0; i < weights.length; i++) {
            s += weights[i] * hidden[i];
        }
        return s;
    }

    @Override
    public String toString() {
        return "ScoreHead[hidden=" + weights.length + (source == null ? "" : ", " + source) + ", head="
                + Arrays.toString(Arrays.copyOf(weights, Math.min(3, weights.length))) + "...]";
    }
}
