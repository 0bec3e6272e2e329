package io.github.qalign.djl.llama;

import io.github.qalign.djl.LlamaConfig;

/**
 * An independent plain-Java, double-precision Llama forward written from the math (HF semantics: RMSNorm, RoPE with
 * rotate_half and optional llama3 scaling, GQA, SwiGLU), without caches or batching. Test code only.
 */
final class ReferenceLlama {

    private final LlamaConfig c;
    private final TinyWeights w;

    ReferenceLlama(TinyWeights w) {
        this.c = w.config;
        this.w = w;
    }

    /** Final normed hidden states [L][D] for one sequence. */
    double[][] hidden(int[] ids) {
        int d = c.hiddenSize();
        int len = ids.length;
        double[][] x = new double[len][d];
        float[] emb = w.data.get("model.embed_tokens.weight");
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < d; i++) {
                x[t][i] = emb[ids[t] * d + i];
            }
        }
        int h = c.numAttentionHeads();
        int kv = c.numKeyValueHeads();
        int hd = c.headDim();
        double[] inv = invFreq();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[len][];
            double[][] k = new double[len][];
            double[][] v = new double[len][];
            for (int t = 0; t < len; t++) {
                double[] hn = norm(x[t], w.data.get(p + "input_layernorm.weight"));
                q[t] = rope(matVec(w.data.get(p + "self_attn.q_proj.weight"), hn, h * hd), t, h, hd, inv);
                k[t] = rope(matVec(w.data.get(p + "self_attn.k_proj.weight"), hn, kv * hd), t, kv, hd, inv);
                v[t] = matVec(w.data.get(p + "self_attn.v_proj.weight"), hn, kv * hd);
            }
            for (int t = 0; t < len; t++) {
                double[] att = new double[h * hd];
                for (int head = 0; head < h; head++) {
                    int kh = head / (h / kv);
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[t][head * hd + i] * k[u][kh * hd + i];
                        }
                        s[u] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[u]);
                    }
                    double z = 0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        z += s[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hd; i++) {
                            att[head * hd + i] += s[u] / z * v[u][kh * hd + i];
                        }
                    }
                }
                double[] o = matVec(w.data.get(p + "self_attn.o_proj.weight"), att, d);
                for (int i = 0; i < d; i++) {
                    x[t][i] += o[i];
                }
            }
            for (int t = 0; t < len; t++) {
                double[] hn = norm(x[t], w.data.get(p + "post_attention_layernorm.weight"));
                int in = c.intermediateSize();
                double[] g = matVec(w.data.get(p + "mlp.gate_proj.weight"), hn, in);
                double[] up = matVec(w.data.get(p + "mlp.up_proj.weight"), hn, in);
                for (int i = 0; i < in; i++) {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * up[i];
                }
                double[] dn = matVec(w.data.get(p + "mlp.down_proj.weight"), g, d);
                for (int i = 0; i < d; i++) {
                    x[t][i] += dn[i];
                }
            }
        }
        double[][] out = new double[len][];
        for (int t = 0; t < len; t++) {
            out[t] = norm(x[t], w.data.get("model.norm.weight"));
        }
        return out;
    }

    /** Logits [L][V]. */
    double[][] logits(int[] ids) {
        double[][] hs = hidden(ids);
        float[] head = w.data.get(c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        double[][] out = new double[hs.length][];
        for (int t = 0; t < hs.length; t++) {
            out[t] = matVec(head, hs[t], c.vocabSize());
        }
        return out;
    }

    /** Score head at the last token. */
    double[] score(int[] ids) {
        double[][] hs = hidden(ids);
        return matVec(w.data.get("score.weight"), hs[hs.length - 1], c.numLabels());
    }

    private double[] invFreq() {
        int hd = c.headDim();
        double[] inv = new double[hd / 2];
        for (int j = 0; j < hd / 2; j++) {
            double f = Math.pow(c.ropeTheta(), -2.0 * j / hd);
            LlamaConfig.RopeScaling rs = c.ropeScaling();
            if (rs != null) {
                // Written from Meta's llama3 apply_scaling: three regimes by wavelength.
                double wavelen = 2 * Math.PI / f;
                double lowW = rs.originalMaxPositionEmbeddings() / rs.lowFreqFactor();
                double highW = rs.originalMaxPositionEmbeddings() / rs.highFreqFactor();
                if (wavelen < highW) {
                    f = f;
                } else if (wavelen > lowW) {
                    f = f / rs.factor();
                } else {
                    double sm = (rs.originalMaxPositionEmbeddings() / wavelen - rs.lowFreqFactor())
                            / (rs.highFreqFactor() - rs.lowFreqFactor());
                    f = (1 - sm) * f / rs.factor() + sm * f;
                }
            }
            inv[j] = f;
        }
        return inv;
    }

    private static double[] rope(double[] x, int pos, int nh, int hd, double[] inv) {
        double[] out = new double[x.length];
        int half = hd / 2;
        for (int head = 0; head < nh; head++) {
            for (int j = 0; j < half; j++) {
                double a = pos * inv[j];
                double x1 = x[head * hd + j];
                double x2 = x[head * hd + j + half];
                out[head * hd + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
                out[head * hd + j + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
            }
        }
        return out;
    }

    private double[] norm(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * weight[i];
        }
        return out;
    }

    private static double[] matVec(float[] m, double[] x, int rows) {
        int cols = x.length;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += m[r * cols + i] * x[i];
            }
            out[r] = s;
        }
        return out;
    }
}
