package io.github.qalign.djl.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import io.github.qalign.djl.checkpoint.LlamaConfigJson;
import io.github.qalign.djl.checkpoint.SafetensorsFile;
import io.github.qalign.tokenizer.HfTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Llama2cConverterTest {

    static final List<String> OUTPUTS = List.of("config.json", "generation_config.json", "model.safetensors",
            "tokenizer.json", "tokenizer_config.json");

    @TempDir
    static Path src;

    static Path modelBin;
    static Path tokBin;

    @BeforeAll
    static void copyInputsFromTestResources() throws IOException {
        modelBin = copy("/llama2c/stories260K/stories260K.bin", src.resolve("stories260K.bin"));
        tokBin = copy("/llama2c/stories260K/tok512.bin", src.resolve("tok512.bin"));
    }

    private static Path copy(String resource, Path to) throws IOException {
        try (InputStream in = Llama2cConverterTest.class.getResourceAsStream(resource)) {
            Files.write(to, in.readAllBytes());
        }
        return to;
    }

    @Test
    void conversionIsDeterministicAndEqualsTheCommittedEmbeddedModel(@TempDir Path a, @TempDir Path b)
            throws IOException {
        Llama2cConverter.convert(modelBin, tokBin, a);
        Llama2cConverter.convert(modelBin, tokBin, b);
        Path committed = EmbeddedModels.stories260k();
        for (String f : OUTPUTS) {
            byte[] x = Files.readAllBytes(a.resolve(f));
            assertThat(Files.readAllBytes(b.resolve(f))).as(f).isEqualTo(x);
            assertThat(Files.readAllBytes(committed.resolve(f))).as("committed " + f).isEqualTo(x);
        }
    }

    @Test
    void headerAndConfigMatchTheLlama2cModel(@TempDir Path out) throws IOException {
        Llama2cCheckpoint m = Llama2cCheckpoint.read(modelBin);
        assertThat(new int[] {m.dim(), m.hiddenDim(), m.nLayers(), m.nHeads(), m.nKvHeads(), m.vocabSize(),
            m.seqLen()}).containsExactly(64, 172, 5, 8, 4, 512, 512);
        assertThat(m.sharedClassifier()).isTrue();
        LlamaConfig c = Llama2cConverter.convert(modelBin, tokBin, out);
        try (HfCheckpoint ck = HfCheckpoint.open(out)) {
            assertThat(ck.config()).isEqualTo(new LlamaConfig("LlamaForCausalLM", 512, 64, 172, 5, 8, 4, 8, 512,
                    1e-5, 10000.0, null, true, 0, 1, new int[] {2, 1}, -1));
            assertThat(LlamaConfigJson.read(out.resolve("config.json"), null).eosTokenIds()).containsExactly(2);
            assertThat(c.eosTokenIds()).containsExactly(2);
            long params = 0;
            for (String name : ck.tensorNames()) {
                params += ck.info(name).elementCount();
            }
            assertThat(params).isEqualTo(260_032);
            assertThat(ck.tensorNames()).doesNotContain("lm_head.weight");
            assertThat(ck.chatTemplate()).isPresent();
        }
    }

    @Test
    void weightsRoundTripAndOnlyQueryAndKeyRowsArePermuted(@TempDir Path out) throws IOException {
        Llama2cCheckpoint m = Llama2cCheckpoint.read(modelBin);
        Llama2cConverter.convert(modelBin, tokBin, out);
        try (SafetensorsFile st = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertThat(st.readFloats("model.embed_tokens.weight")).containsExactly(m.tokEmb());
            assertThat(st.readFloats("model.norm.weight")).containsExactly(m.rmsFinal());
            int d = 64;
            int kv = 32;
            int h = 172;
            for (int l = 0; l < 5; l++) {
                String p = "model.layers." + l + ".";
                float[] q = st.readFloats(p + "self_attn.q_proj.weight");
                float[] k = st.readFloats(p + "self_attn.k_proj.weight");
                float[] wq = Llama2cCheckpoint.layer(m.wq(), l, d * d);
                float[] wk = Llama2cCheckpoint.layer(m.wk(), l, kv * d);
                assertThat(Llama2cConverter.unpermuteRope(q, 8, d, d)).containsExactly(wq);
                assertThat(Llama2cConverter.unpermuteRope(k, 4, kv, d)).containsExactly(wk);
                assertThat(q).isNotEqualTo(wq);
                // row 2j+t of head hh went to row t*hd/2 + j (hd = 8): e.g. row 1 (j=0, t=1) -> row 4
                assertThat(java.util.Arrays.copyOfRange(q, 4 * d, 5 * d))
                        .containsExactly(java.util.Arrays.copyOfRange(wq, d, 2 * d));
                assertThat(java.util.Arrays.copyOfRange(k, (8 + 1) * d, (8 + 2) * d))
                        .containsExactly(java.util.Arrays.copyOfRange(wk, (8 + 2) * d, (8 + 3) * d));
                assertThat(st.readFloats(p + "self_attn.v_proj.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.wv(), l, kv * d));
                assertThat(st.readFloats(p + "self_attn.o_proj.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.wo(), l, d * d));
                assertThat(st.readFloats(p + "input_layernorm.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.rmsAtt(), l, d));
                assertThat(st.readFloats(p + "post_attention_layernorm.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.rmsFfn(), l, d));
                assertThat(st.readFloats(p + "mlp.gate_proj.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.w1(), l, h * d));
                assertThat(st.readFloats(p + "mlp.up_proj.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.w3(), l, h * d));
                assertThat(st.readFloats(p + "mlp.down_proj.weight"))
                        .containsExactly(Llama2cCheckpoint.layer(m.w2(), l, d * h));
            }
        }
    }

    /**
     * The reason for the permutation: interleaved RoPE on the original rows and rotate-half RoPE on the permuted rows
     * give the same attention logits q·k (and permuted copies of the rotated vectors).
     */
    @Test
    void permutedRowsWithRotateHalfRopeReproduceInterleavedRopeAttentionLogits() {
        SplittableRandom r = new SplittableRandom(5);
        int heads = 3;
        int hd = 8;
        int rows = heads * hd;
        int cols = 5;
        float[] wq = new float[rows * cols];
        float[] wk = new float[rows * cols];
        float[] x = new float[cols];
        float[] y = new float[cols];
        for (int i = 0; i < wq.length; i++) {
            wq[i] = (float) r.nextGaussian();
            wk[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        int posQ = 7;
        int posK = 3;
        double[] qi = interleaved(matVec(wq, x, rows, cols), hd, posQ);
        double[] ki = interleaved(matVec(wk, y, rows, cols), hd, posK);
        double[] qh = rotateHalf(matVec(Llama2cConverter.permuteRope(wq, heads, rows, cols), x, rows, cols), hd, posQ);
        double[] kh = rotateHalf(matVec(Llama2cConverter.permuteRope(wk, heads, rows, cols), y, rows, cols), hd, posK);
        for (int head = 0; head < heads; head++) {
            double si = 0;
            double sh = 0;
            for (int i = 0; i < hd; i++) {
                si += qi[head * hd + i] * ki[head * hd + i];
                sh += qh[head * hd + i] * kh[head * hd + i];
            }
            assertThat(sh).isCloseTo(si, org.assertj.core.data.Offset.offset(1e-9));
            for (int j = 0; j < hd / 2; j++) {
                for (int t = 0; t < 2; t++) {
                    assertThat(qh[head * hd + t * hd / 2 + j])
                            .isCloseTo(qi[head * hd + 2 * j + t], org.assertj.core.data.Offset.offset(1e-9));
                }
            }
        }
        assertThat(Llama2cConverter.unpermuteRope(Llama2cConverter.permuteRope(wq, heads, rows, cols), heads, rows,
                cols)).containsExactly(wq);
        assertThatThrownBy(() -> Llama2cConverter.permuteRope(wq, 5, rows, cols))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static double[] matVec(float[] w, float[] x, int rows, int cols) {
        double[] out = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i] += (double) w[i * cols + j] * x[j];
            }
        }
        return out;
    }

    private static double freq(int j, int hd) {
        return Math.pow(10000.0, -2.0 * j / hd);
    }

    /** llama2.c run.c: rotate pairs (2j, 2j+1) by pos * freq_j. */
    private static double[] interleaved(double[] v, int hd, int pos) {
        double[] out = v.clone();
        for (int i = 0; i < v.length; i += 2) {
            int j = (i % hd) / 2;
            double a = pos * freq(j, hd);
            out[i] = v[i] * Math.cos(a) - v[i + 1] * Math.sin(a);
            out[i + 1] = v[i] * Math.sin(a) + v[i + 1] * Math.cos(a);
        }
        return out;
    }

    /** HF Llama: x * cos + rotate_half(x) * sin, with cos/sin repeated over both halves. */
    private static double[] rotateHalf(double[] v, int hd, int pos) {
        double[] out = new double[v.length];
        for (int base = 0; base < v.length; base += hd) {
            for (int j = 0; j < hd / 2; j++) {
                double a = pos * freq(j, hd);
                double lo = v[base + j];
                double hi = v[base + j + hd / 2];
                out[base + j] = lo * Math.cos(a) - hi * Math.sin(a);
                out[base + j + hd / 2] = hi * Math.cos(a) + lo * Math.sin(a);
            }
        }
        return out;
    }

    @Test
    void mergeRulesFollowPieceScoresAndCoverEverySplit() throws IOException {
        Llama2cTokenizerFile tok = Llama2cTokenizerFile.read(tokBin, 512);
        List<String[]> merges = Llama2cConverter.merges(tok);
        assertThat(merges).hasSize(165);
        assertThat(merges.get(0)).containsExactly(" ", "t");
        // " the" (id 265) has two splits, listed together, after "nd" (264) and before "ed" (266)
        List<String> flat = merges.stream().map(p -> p[0] + "|" + p[1]).toList();
        int the1 = flat.indexOf(" t|he");
        int the2 = flat.indexOf(" th|e");
        assertThat(Math.abs(the1 - the2)).isEqualTo(1);
        assertThat(flat.indexOf("n|d")).isLessThan(Math.min(the1, the2));
        assertThat(flat.indexOf("e|d")).isGreaterThan(Math.max(the1, the2));
    }

    /** The agreement test is sensitive to merge order: reversing the ranks changes tokenizations. */
    @Test
    void aTokenizerWithReversedMergeRanksDisagrees(@TempDir Path out) throws IOException {
        Llama2cConverter.convert(modelBin, tokBin, out);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(out.resolve("tokenizer.json").toFile());
        ArrayNode merges = (ArrayNode) root.get("model").get("merges");
        List<com.fasterxml.jackson.databind.JsonNode> list = new ArrayList<>();
        merges.forEach(list::add);
        Collections.reverse(list);
        merges.removeAll();
        list.forEach(merges::add);
        Path broken = out.resolve("broken");
        Files.createDirectories(broken);
        json.writeValue(broken.resolve("tokenizer.json").toFile(), root);
        String text = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
        try (HfTokenizer good = HfTokenizer.open(out); HfTokenizer bad = HfTokenizer.open(broken)) {
            assertThat(bad.encode(text, true)).isNotEqualTo(good.encode(text, true));
            assertThat(bad.decode(bad.encode(text, true), true)).isEqualTo(text);
        }
    }

    @Test
    void malformedInputsAreRejected(@TempDir Path dir) throws IOException {
        Path shortFile = Files.write(dir.resolve("short.bin"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Llama2cConverter.convert(shortFile, tokBin, dir.resolve("o")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too short");
        byte[] model = Files.readAllBytes(modelBin);
        Path truncated = Files.write(dir.resolve("trunc.bin"), java.util.Arrays.copyOf(model, model.length - 4));
        assertThatThrownBy(() -> Llama2cConverter.convert(truncated, tokBin, dir.resolve("o")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match the header");
        byte[] tok = Files.readAllBytes(tokBin);
        Path truncTok = Files.write(dir.resolve("tok.bin"), java.util.Arrays.copyOf(tok, tok.length - 10));
        assertThatThrownBy(() -> Llama2cConverter.convert(modelBin, truncTok, dir.resolve("o")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated tokenizer");
    }
}
