package io.github.qalign.djl.checkpoint;

import io.github.qalign.djl.LlamaConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Builds small random Llama checkpoints (single-file or sharded) for tests. */
public final class TinyCheckpoint {

    private TinyCheckpoint() {
    }

    /** A small GQA causal-LM config: V=40, D=16, I=24, 2 layers, 4 heads / 2 kv heads, hd=4. */
    public static LlamaConfig causalConfig(boolean tied) {
        return new LlamaConfig(LlamaConfig.CAUSAL_LM, 40, 16, 24, 2, 4, 2, 4, 64, 1e-5, 10000.0, null, tied, 0, 1,
                new int[] {2}, -1);
    }

    /** The same shape as a reward model with one label. */
    public static LlamaConfig rewardConfig() {
        return new LlamaConfig(LlamaConfig.SEQUENCE_CLASSIFICATION, 40, 16, 24, 2, 4, 2, 4, 64, 1e-5, 10000.0, null,
                false, 1, 1, new int[] {2}, 0);
    }

    /** Random values for every expected tensor of {@code c}, seeded. */
    public static Map<String, float[]> randomWeights(LlamaConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : HfCheckpoint.expectedShapes(c).entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.1);
            }
            w.put(e.getKey(), v);
        }
        return w;
    }

    /**
     * Writes config.json and the weights; with {@code shards > 1}, as {@code model-0000k-of-0000n.safetensors}
     * files plus {@code model.safetensors.index.json}.
     */
    public static Map<String, float[]> write(Path dir, LlamaConfig c, long seed, int shards, String dtype)
            throws IOException {
        Files.createDirectories(dir);
        LlamaConfigJson.write(c, dir.resolve("config.json"));
        Map<String, float[]> w = randomWeights(c, seed);
        Map<String, long[]> shapes = HfCheckpoint.expectedShapes(c);
        if (shards <= 1) {
            SafetensorsWriter sw = new SafetensorsWriter().metadata("format", "pt");
            w.forEach((k, v) -> sw.add(k, dtype, v, shapes.get(k)));
            sw.write(dir.resolve("model.safetensors"));
            return w;
        }
        List<SafetensorsWriter> writers = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            writers.add(new SafetensorsWriter().metadata("format", "pt"));
        }
        StringBuilder index = new StringBuilder("{\"metadata\": {\"total_size\": 0}, \"weight_map\": {");
        int i = 0;
        for (Map.Entry<String, float[]> e : w.entrySet()) {
            int s = i % shards;
            writers.get(s).add(e.getKey(), dtype, e.getValue(), shapes.get(e.getKey()));
            index.append(i == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": \"")
                    .append(shardName(s, shards)).append('"');
            i++;
        }
        index.append("}}");
        for (int s = 0; s < shards; s++) {
            writers.get(s).write(dir.resolve(shardName(s, shards)));
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), index, StandardCharsets.UTF_8);
        return w;
    }

    /** The HF shard file name. */
    public static String shardName(int s, int shards) {
        return String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
    }
}
