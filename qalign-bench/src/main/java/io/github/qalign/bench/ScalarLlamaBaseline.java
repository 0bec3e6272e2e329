package io.github.qalign.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;

import java.nio.file.Path;

/**
 * A same-run stand-in for llama2.c's {@code run.c}: a single-threaded, scalar float32 Llama decode loop in plain Java
 * (one token at a time, KV cache in float arrays, the same loop structure as run.c), used to put the DJL runtime's
 * numbers in proportion on a machine where llama2.c itself is not built. HF weights (rotate_half RoPE).
 */
final class ScalarLlamaBaseline {

    private final LlamaConfig c;
    private final float[] emb;
    private final float[][] attNorm;
    private final float[][] wq;
    private final float[][] wk;
    private final float[][] wv;
    private final float[][] wo;
    private final float[][] ffnNorm;
    private final float[][] w1;
    private final float[][] w2;
    private final float[][] w3;
    private final float[] finalNorm;
    private final float[] head;

    ScalarLlamaBaseline(Path dir) {
        try (HfCheckpoint ck = HfCheckpoint.open(dir); NDManager m = DjlRuntime.engine().newBaseManager()) {
            c = ck.config();
            int l = c.numHiddenLayers();
            emb = load(ck, m, "model.embed_tokens.weight");
            attNorm = new float[l][];
            wq = new float[l][];
            wk = new float[l][];
            wv = new float[l][];
            wo = new float[l][];
            ffnNorm = new float[l][];
            w1 = new float[l][];
            w2 = new float[l][];
            w3 = new float[l][];
            for (int i = 0; i < l; i++) {
                String p = "model.layers." + i + ".";
                attNorm[i] = load(ck, m, p + "input_layernorm.weight");
                wq[i] = load(ck, m, p + "self_attn.q_proj.weight");
                wk[i] = load(ck, m, p + "self_attn.k_proj.weight");
                wv[i] = load(ck, m, p + "self_attn.v_proj.weight");
                wo[i] = load(ck, m, p + "self_attn.o_proj.weight");
                ffnNorm[i] = load(ck, m, p + "post_attention_layernorm.weight");
                w1[i] = load(ck, m, p + "mlp.gate_proj.weight");
                w2[i] = load(ck, m, p + "mlp.down_proj.weight");
                w3[i] = load(ck, m, p + "mlp.up_proj.weight");
            }
            finalNorm = load(ck, m, "model.norm.weight");
            head = c.tieWordEmbeddings() ? emb : load(ck, m, "lm_head.weight");
        }
    }

    private static float[] load(HfCheckpoint ck, NDManager m, String name) {
        try (NDArray a = ck.load(name, m, DataType.FLOAT32)) {
            return a.toFloatArray();
        }
    }

    /** Greedy decode from BOS for {@code steps} positions; returns the last token (keeps the JIT honest). */
    int greedy(int steps) {
        int d = c.hiddenSize();
        int hd = c.headDim();
        int nh = c.numAttentionHeads();
        int kvh = c.numKeyValueHeads();
        int kvd = kvh * hd;
        int hid = c.intermediateSize();
        int layers = c.numHiddenLayers();
        float[][] kc = new float[layers][steps * kvd];
        float[][] vc = new float[layers][steps * kvd];
        float[] x = new float[d];
        float[] xb = new float[d];
        float[] q = new float[nh * hd];
        float[] att = new float[steps];
        float[] ob = new float[nh * hd];
        float[] hb = new float[hid];
        float[] hb2 = new float[hid];
        float[] logits = new float[c.vocabSize()];
        int token = 1;
        for (int pos = 0; pos < steps; pos++) {
            System.arraycopy(emb, token * d, x, 0, d);
            for (int l = 0; l < layers; l++) {
                rmsnorm(xb, x, attNorm[l]);
                matmul(q, xb, wq[l], d, nh * hd);
                float[] k = new float[kvd];
                matmul(k, xb, wk[l], d, kvd);
                float[] v = new float[kvd];
                matmul(v, xb, wv[l], d, kvd);
                rope(q, nh, hd, pos);
                rope(k, kvh, hd, pos);
                System.arraycopy(k, 0, kc[l], pos * kvd, kvd);
                System.arraycopy(v, 0, vc[l], pos * kvd, kvd);
                for (int h = 0; h < nh; h++) {
                    int kh = h / (nh / kvh);
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t = 0; t <= pos; t++) {
                        float s = 0;
                        for (int i = 0; i < hd; i++) {
                            s += q[h * hd + i] * kc[l][t * kvd + kh * hd + i];
                        }
                        att[t] = s / (float) Math.sqrt(hd);
                        max = Math.max(max, att[t]);
                    }
                    float sum = 0;
                    for (int t = 0; t <= pos; t++) {
                        att[t] = (float) Math.exp(att[t] - max);
                        sum += att[t];
                    }
                    for (int i = 0; i < hd; i++) {
                        float o = 0;
                        for (int t = 0; t <= pos; t++) {
                            o += att[t] / sum * vc[l][t * kvd + kh * hd + i];
                        }
                        ob[h * hd + i] = o;
                    }
                }
                matmul(xb, ob, wo[l], nh * hd, d);
                for (int i = 0; i < d; i++) {
                    x[i] += xb[i];
                }
                rmsnorm(xb, x, ffnNorm[l]);
                matmul(hb, xb, w1[l], d, hid);
                matmul(hb2, xb, w3[l], d, hid);
                for (int i = 0; i < hid; i++) {
                    float g = hb[i];
                    hb[i] = g / (1f + (float) Math.exp(-g)) * hb2[i];
                }
                matmul(xb, hb, w2[l], hid, d);
                for (int i = 0; i < d; i++) {
                    x[i] += xb[i];
                }
            }
            rmsnorm(xb, x, finalNorm);
            matmul(logits, xb, head, d, c.vocabSize());
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            token = best;
        }
        return token;
    }

    private void rope(float[] v, int heads, int hd, int pos) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                double f = pos * Math.pow(c.ropeTheta(), -2.0 * j / hd);
                float cos = (float) Math.cos(f);
                float sin = (float) Math.sin(f);
                float a = v[h * hd + j];
                float b = v[h * hd + j + half];
                v[h * hd + j] = a * cos - b * sin;
                v[h * hd + j + half] = b * cos + a * sin;
            }
        }
    }

    private void rmsnorm(float[] out, float[] x, float[] w) {
        float ss = 0;
        for (float v : x) {
            ss += v * v;
        }
        float inv = (float) (1 / Math.sqrt(ss / x.length + c.rmsNormEps()));
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * w[i];
        }
    }

    private static void matmul(float[] out, float[] x, float[] w, int n, int rows) {
        for (int r = 0; r < rows; r++) {
            float s = 0;
            int off = r * n;
            for (int i = 0; i < n; i++) {
                s += w[off + i] * x[i];
            }
            out[r] = s;
        }
    }
}
