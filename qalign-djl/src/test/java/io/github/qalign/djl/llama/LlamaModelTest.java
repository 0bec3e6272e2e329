package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.qalign.djl.DjlRuntime;
import io.github.qalign.djl.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaModelTest {

    static final LlamaConfig.RopeScaling LLAMA3 = new LlamaConfig.RopeScaling(8.0, 1.0, 4.0, 16);

    /** GQA + untied; MHA + tied; GQA + llama3 rope scaling + tied. */
    static List<LlamaConfig> configs() {
        return List.of(
                TinyWeights.config(LlamaConfig.CAUSAL_LM, 37, 32, 48, 2, 4, 2, 64, null, false),
                TinyWeights.config(LlamaConfig.CAUSAL_LM, 29, 24, 40, 2, 3, 3, 64, null, true),
                TinyWeights.config(LlamaConfig.CAUSAL_LM, 31, 32, 44, 3, 8, 2, 256, LLAMA3, true));
    }

    static LlamaModel model(TinyWeights w) {
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            return LlamaModel.create(w.config, w.arrays(m), null, DataType.FLOAT32);
        }
    }

    static int[] randomIds(SplittableRandom r, int len, int vocab) {
        int[] ids = new int[len];
        for (int i = 0; i < len; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    /** Full-recompute logits [L][V] through forwardHidden (no cache). */
    static float[][] fullLogits(LlamaModel model, int[] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                l[i] = ids[i];
            }
            NDArray h = model.forwardHidden(m.create(l, new Shape(1, ids.length)), new int[] {ids.length});
            float[] flat = model.logits(h).toFloatArray();
            int v = model.config().vocabSize();
            float[][] out = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                out[t] = java.util.Arrays.copyOfRange(flat, t * v, (t + 1) * v);
            }
            return out;
        }
    }

    static double maxDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    static double maxDiff(double[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void matchesIndependentDoublePrecisionReference() {
        SplittableRandom r = new SplittableRandom(11);
        for (LlamaConfig c : configs()) {
            TinyWeights w = new TinyWeights(c, 5);
            ReferenceLlama ref = new ReferenceLlama(w);
            try (LlamaModel model = model(w); KvCache cache = model.newCache(2, 40)) {
                int[] ids = randomIds(r, 23, c.vocabSize());
                double[][] expected = ref.logits(ids);
                // full path, every position
                float[][] full = fullLogits(model, ids);
                double worst = 0;
                for (int t = 0; t < ids.length; t++) {
                    worst = Math.max(worst, maxDiff(expected[t], full[t]));
                }
                // cached path: prefill 10, then one token at a time
                float[][] step = model.forward(cache, new int[] {1}, new int[][] {java.util.Arrays.copyOf(ids, 10)},
                        LlamaModel.Head.LOGITS);
                worst = Math.max(worst, maxDiff(expected[9], step[0]));
                for (int t = 10; t < ids.length; t++) {
                    step = model.forward(cache, new int[] {1}, new int[][] {{ids[t]}}, LlamaModel.Head.LOGITS);
                    worst = Math.max(worst, maxDiff(expected[t], step[0]));
                }
                System.out.printf("reference vs LlamaModel %s: max |logit diff| = %.3g%n", c, worst);
                assertThat(worst).isLessThan(1e-4);
            }
        }
    }

    @Test
    void batchedCachedDecodingEqualsFullRecomputeIncludingTruncation() {
        SplittableRandom r = new SplittableRandom(12);
        for (LlamaConfig c : configs()) {
            TinyWeights w = new TinyWeights(c, 6);
            try (LlamaModel model = model(w); KvCache cache = model.newCache(5, 48)) {
                int[][] seqs = {randomIds(r, 30, c.vocabSize()), randomIds(r, 17, c.vocabSize()),
                        randomIds(r, 25, c.vocabSize())};
                int[] prefill = {7, 1, 12};
                int[] slots = {4, 0, 2};
                double worst = decodeAndCompare(model, cache, seqs, prefill, slots);
                // truncate each slot to a prefix and continue with a different suffix
                int[][] seqs2 = new int[3][];
                int[] keep = {5, 9, 1};
                for (int i = 0; i < 3; i++) {
                    int[] tail = randomIds(r, 10 + 3 * i, c.vocabSize());
                    seqs2[i] = new int[keep[i] + tail.length];
                    System.arraycopy(seqs[i], 0, seqs2[i], 0, keep[i]);
                    System.arraycopy(tail, 0, seqs2[i], keep[i], tail.length);
                    cache.truncate(slots[i], keep[i]);
                }
                worst = Math.max(worst, decodeAndCompare(model, cache, seqs2, new int[] {keep[0] + 2, keep[1] + 4,
                        keep[2] + 1}, slots));
                // copy a prefix into a fresh slot and continue there
                cache.copyPrefix(slots[0], 1, 6);
                int[] seq3 = java.util.Arrays.copyOf(seqs2[0], 20);
                seq3[6] = (seq3[6] + 1) % c.vocabSize();
                worst = Math.max(worst, decodeAndCompare(model, cache, new int[][] {seq3}, new int[] {8},
                        new int[] {1}));
                // consecutive slots: the model reads the batch's KV as a view instead of gathering it
                try (KvCache block = model.newCache(4, 48)) {
                    worst = Math.max(worst, decodeAndCompare(model, block, seqs, prefill, new int[] {1, 2, 3}));
                }
                System.out.printf("cached vs full %s: max |logit diff| = %.3g%n", c, worst);
                assertThat(worst).isLessThan(1e-4);
            }
        }
    }

    /** Batched prefill to prefill[i] (on top of what the slot holds), then batched 1-token decode; rows drop out. */
    static double decodeAndCompare(LlamaModel model, KvCache cache, int[][] seqs, int[] prefill, int[] slots) {
        float[][][] full = new float[seqs.length][][];
        for (int i = 0; i < seqs.length; i++) {
            full[i] = fullLogits(model, seqs[i]);
        }
        int[][] first = new int[seqs.length][];
        for (int i = 0; i < seqs.length; i++) {
            first[i] = java.util.Arrays.copyOfRange(seqs[i], cache.length(slots[i]), prefill[i]);
        }
        float[][] out = model.forward(cache, slots, first, LlamaModel.Head.LOGITS);
        double worst = 0;
        for (int i = 0; i < seqs.length; i++) {
            worst = Math.max(worst, maxDiff(full[i][prefill[i] - 1], out[i]));
        }
        while (true) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < seqs.length; i++) {
                if (cache.length(slots[i]) < seqs[i].length) {
                    rows.add(i);
                }
            }
            if (rows.isEmpty()) {
                break;
            }
            int[] s = new int[rows.size()];
            int[][] t = new int[rows.size()][];
            for (int j = 0; j < rows.size(); j++) {
                int i = rows.get(j);
                s[j] = slots[i];
                t[j] = new int[] {seqs[i][cache.length(slots[i])]};
            }
            out = model.forward(cache, s, t, LlamaModel.Head.LOGITS);
            for (int j = 0; j < rows.size(); j++) {
                int i = rows.get(j);
                worst = Math.max(worst, maxDiff(full[i][cache.length(slots[i]) - 1], out[j]));
            }
        }
        for (int i = 0; i < seqs.length; i++) {
            assertThat(cache.tokens(slots[i])).containsExactly(seqs[i]);
        }
        return worst;
    }

    @Test
    void rewardScoresAgreeBetweenCachedAndFullPathsAndReference() {
        LlamaConfig c = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 33, 32, 40, 2, 4, 2, 64, null,
                false);
        TinyWeights w = new TinyWeights(c, 8);
        ReferenceLlama ref = new ReferenceLlama(w);
        SplittableRandom r = new SplittableRandom(3);
        try (LlamaModel model = model(w); KvCache cache = model.newCache(3, 32)) {
            int[] a = randomIds(r, 20, c.vocabSize());
            int[] b = randomIds(r, 13, c.vocabSize());
            float[][] cached = model.forward(cache, new int[] {0, 2}, new int[][] {a, b}, LlamaModel.Head.SCORE);
            // incremental: prefix then rest
            cache.truncate(0, 8);
            float[][] inc = model.forward(cache, new int[] {0}, new int[][] {java.util.Arrays.copyOfRange(a, 8, 20)},
                    LlamaModel.Head.SCORE);
            try (NDManager m = model.manager().newSubManager()) {
                long[] ids = new long[2 * 20];
                for (int i = 0; i < 20; i++) {
                    ids[i] = a[i];
                }
                for (int i = 0; i < 13; i++) {
                    ids[20 + i] = b[i];
                }
                int[] lengths = {20, 13};
                NDArray h = model.forwardHidden(m.create(ids, new Shape(2, 20)), lengths);
                float[] full = model.scores(model.lastHidden(h, lengths)).toFloatArray();
                double[] refA = ref.score(a);
                double[] refB = ref.score(b);
                System.out.printf("score: ref %.6f %.6f cached %.6f %.6f inc %.6f full %.6f %.6f%n", refA[0],
                        refB[0], cached[0][0], cached[1][0], inc[0][0], full[0], full[1]);
                assertThat(Math.abs(cached[0][0] - full[0])).isLessThan(1e-4f);
                assertThat(Math.abs(cached[1][0] - full[1])).isLessThan(1e-4f);
                assertThat(Math.abs(inc[0][0] - full[0])).isLessThan(1e-4f);
                assertThat(Math.abs(refA[0] - full[0])).isLessThan(1e-4);
                assertThat(Math.abs(refB[0] - full[1])).isLessThan(1e-4);
            }
        }
    }

    @Test
    void float16ModelTracksFloat32() {
        LlamaConfig c = configs().get(0);
        TinyWeights w = new TinyWeights(c, 4);
        ReferenceLlama ref = new ReferenceLlama(w);
        int[] ids = randomIds(new SplittableRandom(8), 12, c.vocabSize());
        double[][] expected = ref.logits(ids);
        try (NDManager m = DjlRuntime.engine().newBaseManager();
             LlamaModel half = LlamaModel.create(c, w.arrays(m), null, DataType.FLOAT16);
             KvCache cache = half.newCache(1, 16)) {
            assertThat(half.dataType()).isEqualTo(DataType.FLOAT16);
            float[][] out = half.forward(cache, new int[] {0}, new int[][] {java.util.Arrays.copyOf(ids, 6)},
                    LlamaModel.Head.LOGITS);
            double worst = maxDiff(expected[5], out[0]);
            for (int t = 6; t < ids.length; t++) {
                out = half.forward(cache, new int[] {0}, new int[][] {{ids[t]}}, LlamaModel.Head.LOGITS);
                worst = Math.max(worst, maxDiff(expected[t], out[0]));
            }
            System.out.printf("fp16 vs double reference: max |logit diff| = %.3g%n", worst);
            assertThat(worst).isLessThan(5e-2).isGreaterThan(0);
        }
    }

    @Test
    void gradientsFlowThroughForwardHidden() {
        LlamaConfig c = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 33, 32, 40, 2, 4, 2, 64, null,
                false);
        try (LlamaModel model = model(new TinyWeights(c, 9))) {
            NDArray scoreW = model.parameters().get("score.weight");
            NDArray layerW = model.parameters().get("model.layers.0.self_attn.qkv_proj.weight");
            NDArray embW = model.parameters().get("model.embed_tokens.weight");
            scoreW.setRequiresGradient(true);
            layerW.setRequiresGradient(true);
            embW.setRequiresGradient(true);
            try (NDManager m = model.manager().newSubManager();
                 GradientCollector gc = DjlRuntime.engine().newGradientCollector()) {
                int[] lengths = {6, 4};
                NDArray ids = m.create(new long[] {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0}, new Shape(2, 6));
                NDArray chosen = model.scores(model.lastHidden(model.forwardHidden(ids, lengths), lengths));
                // Bradley-Terry loss: -log sigmoid(r0 - r1)
                NDArray diff = chosen.get(0).sub(chosen.get(1));
                NDArray loss = diff.neg().exp().add(1).log();
                gc.backward(loss);
                float scoreGrad = scoreW.getGradient().abs().sum().getFloat();
                float layerGrad = layerW.getGradient().abs().sum().getFloat();
                float[] embGrad = embW.getGradient().abs().sum(new int[] {1}).toFloatArray();
                assertThat(scoreGrad).isGreaterThan(0f).isFinite();
                assertThat(layerGrad).isGreaterThan(0f).isFinite();
                // rows of tokens that were used get gradient, an unused token (30) none
                assertThat(embGrad[3]).isGreaterThan(0f);
                assertThat(embGrad[30]).isEqualTo(0f);
            } finally {
                scoreW.setRequiresGradient(false);
                layerW.setRequiresGradient(false);
                embW.setRequiresGradient(false);
            }
        }
    }

    @Test
    void forwardDoesNotLeakArraysIntoLongLivedManagers() {
        LlamaConfig c = configs().get(0);
        try (LlamaModel model = model(new TinyWeights(c, 1)); KvCache cache = model.newCache(2, 40)) {
            model.forward(cache, new int[] {0, 1}, new int[][] {{1, 2, 3}, {4}}, LlamaModel.Head.LOGITS);
            int before = model.manager().getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                cache.truncate(0, 2);
                cache.copyPrefix(0, 1, 1);
                model.forward(cache, new int[] {0, 1}, new int[][] {{1, 2}, {4, 5, 6}}, LlamaModel.Head.LOGITS);
            }
            assertThat(model.manager().getManagedArrays().size()).isEqualTo(before);
        }
    }

    @Test
    void badInputsGiveClearErrors() {
        LlamaConfig c = configs().get(0);
        TinyWeights w = new TinyWeights(c, 1);
        try (NDManager m = DjlRuntime.engine().newBaseManager()) {
            Map<String, NDArray> arrays = w.arrays(m);
            arrays.remove("model.layers.1.mlp.up_proj.weight");
            assertThatThrownBy(() -> LlamaModel.create(c, arrays, null, DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.layers.1.mlp.up_proj");
            Map<String, NDArray> arrays2 = w.arrays(m);
            arrays2.put("model.norm.weight", m.zeros(new Shape(5)));
            assertThatThrownBy(() -> LlamaModel.create(c, arrays2, null, DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.norm.weight");
        }
        try (LlamaModel model = model(w); KvCache cache = model.newCache(2, 8)) {
            assertThatThrownBy(() -> model.forward(cache, new int[] {0}, new int[][] {new int[9]},
                    LlamaModel.Head.LOGITS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("exceeds");
            assertThatThrownBy(() -> model.forward(cache, new int[] {0}, new int[][] {{99}},
                    LlamaModel.Head.LOGITS)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id 99");
            assertThatThrownBy(() -> model.forward(cache, new int[] {0}, new int[][] {{1}},
                    LlamaModel.Head.SCORE)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("score");
        }
    }

    /** Last-token logits of {@code ids} through the cached inference path (a fresh cache). */
    private static float[] cachedLastLogits(LlamaModel model, int[] ids) {
        try (KvCache cache = model.newCache(1, ids.length)) {
            return model.forward(cache, new int[] {0}, new int[][] {ids}, LlamaModel.Head.LOGITS)[0];
        }
    }

    @Test
    void inferencePathFollowsParameterUpdates() {
        LlamaConfig c = configs().get(0);
        int[] ids = randomIds(new SplittableRandom(21), 7, c.vocabSize());
        try (LlamaModel model = model(new TinyWeights(c, 5))) {
            float[] before = cachedLastLogits(model, ids);
            NDArray qkv = model.parameters().get("model.layers.0.self_attn.qkv_proj.weight");
            NDArray norm = model.parameters().get("model.layers.1.post_attention_layernorm.weight");
            // an in-place update announced with parametersChanged()
            qkv.muli(1.5f);
            norm.muli(0.5f);
            model.parametersChanged();
            float[] updated = cachedLastLogits(model, ids);
            assertThat(maxDiff(before, updated)).isGreaterThan(1e-3);
            assertThat(maxDiff(fullLogits(model, ids)[ids.length - 1], updated)).isLessThan(1e-4);
            // a training-style pass (forwardHidden with a parameter requiring a gradient), then an update
            NDArray emb = model.parameters().get("model.embed_tokens.weight");
            emb.setRequiresGradient(true);
            fullLogits(model, ids);
            emb.setRequiresGradient(false);
            emb.muli(0.75f);
            float[] trained = cachedLastLogits(model, ids);
            assertThat(maxDiff(updated, trained)).isGreaterThan(1e-3);
            assertThat(maxDiff(fullLogits(model, ids)[ids.length - 1], trained)).isLessThan(1e-4);
        }
    }
}
