package io.github.qalign.djl.convert;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.checkpoint.SafetensorsFile;
import io.github.qalign.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End-to-end proof of the conversion: a plain-Java forward pass written in the Hugging Face Llama convention
 * (rotate-half RoPE, grouped-query attention, RMSNorm, SwiGLU, tied LM head) over the embedded converted checkpoint,
 * decoded with the generated tokenizer.json, reproduces llama2.c's reference greedy output (run.c -t 0, 200 steps).
 * A wrong RoPE permutation, tensor mapping or tokenizer would change the text.
 */
class ConvertedStories260kGreedyTest {

    @Test
    void greedyGenerationReproducesLlama2cReferenceText() throws IOException {
        String expected;
        try (InputStream in = getClass().getResourceAsStream("/llama2c/stories260K/expected_greedy_steps200.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path dir = EmbeddedModels.stories260k();
        LlamaConfig c;
        try (HfCheckpoint ck = HfCheckpoint.open(dir)) {
            c = ck.config();
        }
        List<Integer> generated = new ArrayList<>();
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            Forward f = new Forward(c, st);
            int token = 1;
            for (int pos = 0; pos < 200; pos++) {
                float[] logits = f.step(token, pos);
                int next = 0;
                for (int i = 1; i < logits.length; i++) {
                    if (logits[i] > logits[next]) {
                        next = i;
                    }
                }
                if (next == 1) {
                    break;
                }
                generated.add(next);
                token = next;
            }
        }
        int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
        try (HfTokenizer tok = HfTokenizer.open(dir)) {
            assertThat(tok.decodeContinuation(new int[] {1}, ids, true)).isEqualTo(expected);
            int[] withBos = new int[ids.length + 1];
            withBos[0] = 1;
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            assertThat(tok.decode(withBos, true)).isEqualTo(expected);
        }
    }

    /** A straightforward single-sequence Llama forward pass with a KV cache, HF conventions. */
    private static final class Forward {
        final LlamaConfig c;
        final float[] emb;
        final float[] norm;
        final float[][] inNorm;
        final float[][] postNorm;
        final float[][] wq;
        final float[][] wk;
        final float[][] wv;
        final float[][] wo;
        final float[][] gate;
        final float[][] up;
        final float[][] down;
        final float[][][] keys;
        final float[][][] values;

        Forward(LlamaConfig c, SafetensorsFile st) {
            this.c = c;
            int layers = c.numHiddenLayers();
            emb = st.readFloats("model.embed_tokens.weight");
            norm = st.readFloats("model.norm.weight");
            inNorm = new float[layers][];
            postNorm = new float[layers][];
            wq = new float[layers][];
            wk = new float[layers][];
            wv = new float[layers][];
            wo = new float[layers][];
            gate = new float[layers][];
            up = new float[layers][];
            down = new float[layers][];
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                inNorm[l] = st.readFloats(p + "input_layernorm.weight");
                postNorm[l] = st.readFloats(p + "post_attention_layernorm.weight");
                wq[l] = st.readFloats(p + "self_attn.q_proj.weight");
                wk[l] = st.readFloats(p + "self_attn.k_proj.weight");
                wv[l] = st.readFloats(p + "self_attn.v_proj.weight");
                wo[l] = st.readFloats(p + "self_attn.o_proj.weight");
                gate[l] = st.readFloats(p + "mlp.gate_proj.weight");
                up[l] = st.readFloats(p + "mlp.up_proj.weight");
                down[l] = st.readFloats(p + "mlp.down_proj.weight");
            }
            int kvDim = c.numKeyValueHeads() * c.headDim();
            keys = new float[layers][c.maxPositionEmbeddings()][kvDim];
            values = new float[layers][c.maxPositionEmbeddings()][kvDim];
        }

        static float[] matVec(float[] w, float[] x, int rows) {
            int cols = x.length;
            float[] out = new float[rows];
            for (int i = 0; i < rows; i++) {
                float s = 0;
                for (int j = 0; j < cols; j++) {
                    s += w[i * cols + j] * x[j];
                }
                out[i] = s;
            }
            return out;
        }

        float[] rmsNorm(float[] x, float[] w) {
            float ss = 0;
            for (float v : x) {
                ss += v * v;
            }
            float scale = (float) (1.0 / Math.sqrt(ss / x.length + c.rmsNormEps()));
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = w[i] * (x[i] * scale);
            }
            return out;
        }

        void ropeRotateHalf(float[] v, int heads, int pos) {
            int hd = c.headDim();
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < hd / 2; j++) {
                    double freq = Math.pow(c.ropeTheta(), -2.0 * j / hd);
                    float cos = (float) Math.cos(pos * freq);
                    float sin = (float) Math.sin(pos * freq);
                    float a = v[h * hd + j];
                    float b = v[h * hd + j + hd / 2];
                    v[h * hd + j] = a * cos - b * sin;
                    v[h * hd + j + hd / 2] = b * cos + a * sin;
                }
            }
        }

        float[] step(int token, int pos) {
            int d = c.hiddenSize();
            int hd = c.headDim();
            int heads = c.numAttentionHeads();
            int kvHeads = c.numKeyValueHeads();
            float[] x = new float[d];
            System.arraycopy(emb, token * d, x, 0, d);
            for (int l = 0; l < c.numHiddenLayers(); l++) {
                float[] xb = rmsNorm(x, inNorm[l]);
                float[] q = matVec(wq[l], xb, heads * hd);
                float[] k = matVec(wk[l], xb, kvHeads * hd);
                float[] v = matVec(wv[l], xb, kvHeads * hd);
                ropeRotateHalf(q, heads, pos);
                ropeRotateHalf(k, kvHeads, pos);
                keys[l][pos] = k;
                values[l][pos] = v;
                float[] att = new float[heads * hd];
                for (int h = 0; h < heads; h++) {
                    int kvh = h / c.groupSize();
                    float[] scores = new float[pos + 1];
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t = 0; t <= pos; t++) {
                        float s = 0;
                        for (int i = 0; i < hd; i++) {
                            s += q[h * hd + i] * keys[l][t][kvh * hd + i];
                        }
                        scores[t] = s / (float) Math.sqrt(hd);
                        max = Math.max(max, scores[t]);
                    }
                    float sum = 0;
                    for (int t = 0; t <= pos; t++) {
                        scores[t] = (float) Math.exp(scores[t] - max);
                        sum += scores[t];
                    }
                    for (int t = 0; t <= pos; t++) {
                        float a = scores[t] / sum;
                        for (int i = 0; i < hd; i++) {
                            att[h * hd + i] += a * values[l][t][kvh * hd + i];
                        }
                    }
                }
                float[] o = matVec(wo[l], att, d);
                for (int i = 0; i < d; i++) {
                    x[i] += o[i];
                }
                xb = rmsNorm(x, postNorm[l]);
                int inter = c.intermediateSize();
                float[] g = matVec(gate[l], xb, inter);
                float[] u = matVec(up[l], xb, inter);
                for (int i = 0; i < inter; i++) {
                    g[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
                }
                float[] down2 = matVec(down[l], g, d);
                for (int i = 0; i < d; i++) {
                    x[i] += down2[i];
                }
            }
            return matVec(emb, rmsNorm(x, norm), c.vocabSize());
        }
    }
}
