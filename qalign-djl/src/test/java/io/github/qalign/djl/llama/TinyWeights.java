package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.LlamaConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Random tiny Llama weights as float arrays (HF names, [out, in]) for tests. */
final class TinyWeights {

    final LlamaConfig config;
    final Map<String, float[]> data = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    TinyWeights(LlamaConfig config, long seed) {
        this.config = config;
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = config.hiddenSize();
        int h = config.numAttentionHeads();
        int kv = config.numKeyValueHeads();
        int hd = config.headDim();
        int in = config.intermediateSize();
        int v = config.vocabSize();
        put(rnd, "model.embed_tokens.weight", 1.0, false, v, d);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            put(rnd, p + "input_layernorm.weight", 0.2, true, d);
            put(rnd, p + "self_attn.q_proj.weight", 1.0 / Math.sqrt(d), false, h * hd, d);
            put(rnd, p + "self_attn.k_proj.weight", 1.0 / Math.sqrt(d), false, kv * hd, d);
            put(rnd, p + "self_attn.v_proj.weight", 1.0 / Math.sqrt(d), false, kv * hd, d);
            put(rnd, p + "self_attn.o_proj.weight", 1.0 / Math.sqrt(h * hd), false, d, h * hd);
            put(rnd, p + "post_attention_layernorm.weight", 0.2, true, d);
            put(rnd, p + "mlp.gate_proj.weight", 1.0 / Math.sqrt(d), false, in, d);
            put(rnd, p + "mlp.up_proj.weight", 1.0 / Math.sqrt(d), false, in, d);
            put(rnd, p + "mlp.down_proj.weight", 1.0 / Math.sqrt(in), false, d, in);
        }
        put(rnd, "model.norm.weight", 0.2, true, d);
        if (config.isSequenceClassification()) {
            put(rnd, "score.weight", 1.0 / Math.sqrt(d), false, config.numLabels(), d);
        } else if (!config.tieWordEmbeddings()) {
            put(rnd, "lm_head.weight", 1.0 / Math.sqrt(d), false, v, d);
        }
    }

    private void put(SplittableRandom rnd, String name, double scale, boolean aroundOne, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            double g = rnd.nextDouble(-1, 1) * Math.sqrt(3);
            a[i] = (float) (aroundOne ? 1 + scale * g : scale * g);
        }
        data.put(name, a);
        shapes.put(name, shape);
    }

    /** Fresh NDArrays of every tensor in {@code manager}. */
    Map<String, NDArray> arrays(NDManager manager) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        data.forEach((k, v) -> m.put(k, manager.create(v, new Shape(shapes.get(k)))));
        return m;
    }

    static LlamaConfig config(String arch, int vocab, int dim, int inter, int layers, int heads, int kvHeads,
                              int maxPos, LlamaConfig.RopeScaling scaling, boolean tied) {
        return new LlamaConfig(arch, vocab, dim, inter, layers, heads, kvHeads, dim / heads, maxPos, 1e-5,
                scaling == null ? 10000.0 : 500000.0, scaling, tied, 1, 1, new int[] {2}, -1);
    }
}
