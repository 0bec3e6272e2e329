package io.github.qalign.djl.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.Reward;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaLanguageModelTest {

    static final LlamaConfig CONFIG = TinyWeights.config(LlamaConfig.CAUSAL_LM, 23, 32, 48, 2, 4, 2, 128, null,
            false);
    static LlamaLanguageModel lm;

    @BeforeAll
    static void load() {
        lm = new LlamaLanguageModel(LlamaModelTest.model(new TinyWeights(CONFIG, 21)), new CharCodec(23),
                LlamaOptions.builder().maxBatchSize(16).build(), true);
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    static SamplingConfig cap(int n) {
        return SamplingConfig.defaults().withMaxCompletionTokens(n);
    }

    @Test
    void sameSeedSameGenerationsAndBatchEqualsOneAtATime() {
        Prompt p1 = lm.prompt("hello");
        Prompt p2 = lm.prompt("a longer prompt here");
        List<GenerationRequest> reqs = List.of(GenerationRequest.fresh(p1, 1), GenerationRequest.fresh(p2, 2),
                new GenerationRequest(p1, TokenIds.of(5, 6, 7), 3), GenerationRequest.fresh(p1, 4),
                new GenerationRequest(p2, TokenIds.of(4), 5));
        List<Generation> a = lm.generate(reqs, cap(30));
        List<Generation> b = lm.generate(reqs, cap(30));
        List<Generation> c = new ArrayList<>();
        for (GenerationRequest r : reqs) {
            c.addAll(lm.generate(List.of(r), cap(30)));
        }
        // reversed order: each request's tokens depend on its own seed only
        List<GenerationRequest> reversed = new ArrayList<>(reqs);
        java.util.Collections.reverse(reversed);
        List<Generation> rev = lm.generate(reversed, cap(30));
        for (int i = 0; i < reqs.size(); i++) {
            assertThat(b.get(i).completion()).isEqualTo(a.get(i).completion());
            assertThat(c.get(i).completion()).isEqualTo(a.get(i).completion());
            assertThat(rev.get(reqs.size() - 1 - i).completion()).isEqualTo(a.get(i).completion());
            assertThat(a.get(i).completion().startsWith(reqs.get(i).prefix())).isTrue();
            assertThat(a.get(i).prefixLength()).isEqualTo(reqs.get(i).prefix().length());
        }
        // chunked into batches of 2 (and a smaller KV pool) by another instance over the same weights: same tokens
        try (LlamaLanguageModel small = new LlamaLanguageModel(LlamaModelTest.model(new TinyWeights(CONFIG, 21)),
                new CharCodec(23), LlamaOptions.builder().maxBatchSize(2).cacheSlots(5).build(), true)) {
            assertThat(small.maxBatch()).isEqualTo(2);
            List<Generation> e = small.generate(reqs, cap(30));
            for (int i = 0; i < reqs.size(); i++) {
                assertThat(e.get(i).completion()).isEqualTo(a.get(i).completion());
            }
        }
        // a different seed gives different samples somewhere
        List<Generation> d = lm.generate(reqs.stream()
                .map(r -> new GenerationRequest(r.prompt(), r.prefix(), r.seed() + 100)).toList(), cap(30));
        assertThat(d.stream().map(Generation::completion).toList())
                .isNotEqualTo(a.stream().map(Generation::completion).toList());
    }

    @Test
    void stopsOnEosKeepingItOrAtTheTotalCap() {
        Prompt p = lm.prompt("stop test");
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            reqs.add(i % 2 == 0 ? GenerationRequest.fresh(p, 5 + i) : new GenerationRequest(p, TokenIds.of(3, 4), 5 + i));
        }
        List<Generation> gs = lm.generate(reqs, cap(25));
        int eos = 0;
        for (Generation g : gs) {
            int[] ids = g.completion().toArray();
            for (int i = g.prefixLength(); i < ids.length - 1; i++) {
                assertThat(ids[i]).isNotEqualTo(2);
            }
            if (g.finishReason() == FinishReason.EOS) {
                eos++;
                assertThat(g.completion().last()).isEqualTo(2);
            } else {
                assertThat(g.completion().length()).isEqualTo(25);
                assertThat(g.completion().last()).isNotEqualTo(2);
            }
            assertThat(g.continuation().length()).isPositive();
            assertThat(g.usage().generatedTokens()).isEqualTo(g.continuation().length());
        }
        assertThat(eos).isBetween(1, 39);
        // prefix at the cap: returned as is
        Generation full = lm.generate(List.of(new GenerationRequest(p, TokenIds.of(3, 4, 5), 1)), cap(3)).get(0);
        assertThat(full.completion()).isEqualTo(TokenIds.of(3, 4, 5));
        assertThat(full.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void rowsOfOneBatchWithVeryDifferentPrefixesFitATightContext() {
        // prompt + cap == context: a row that stops early must not overflow its slot while others keep decoding
        Prompt p = lm.prompt("x".repeat(60));
        int cap = 128 - p.ids().length();
        int[] longPrefix = new int[cap - 1];
        java.util.Arrays.fill(longPrefix, 5);
        SplittableRandom rng = new SplittableRandom(8);
        for (int round = 0; round < 3; round++) {
            List<GenerationRequest> reqs = List.of(new GenerationRequest(p, TokenIds.of(longPrefix), rng.nextLong()),
                    GenerationRequest.fresh(p, rng.nextLong()), GenerationRequest.fresh(p, rng.nextLong()));
            List<Generation> gs = lm.generate(reqs, cap(cap));
            assertThat(gs.get(0).completion().length()).isEqualTo(cap);
            for (Generation g : gs) {
                assertThat(g.completion().length()).isLessThanOrEqualTo(cap);
            }
        }
    }

    @Test
    void tooLongForTheContextIsAClearError() {
        Prompt p = lm.prompt("x".repeat(100));
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 1)), cap(40)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context length 128");
        assertThatThrownBy(() -> lm.generate(List.of(new GenerationRequest(lm.prompt("y"), TokenIds.of(3, 3, 3), 1)),
                cap(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds maxCompletionTokens");
    }

    /** Softmax of the full-recompute logits at the last position of ids. */
    static double[] nextTokenDistribution(int[] ids) {
        float[][] logits = LlamaModelTest.fullLogits(lm.model(), ids);
        return TokenSampler.distribution(logits[ids.length - 1], SamplingConfig.defaults());
    }

    @Test
    void nextTokenFrequenciesThroughGenerateMatchSoftmaxOfTheModel() {
        Prompt p = lm.prompt("dist");
        TokenIds prefix = TokenIds.of(7, 9);
        int[] ids = p.ids().concat(prefix).toArray();
        double[] expected = nextTokenDistribution(ids);
        long[] counts = new long[CONFIG.vocabSize()];
        SplittableRandom rng = new SplittableRandom(77);
        for (int round = 0; round < 250; round++) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                reqs.add(new GenerationRequest(p, prefix, rng.nextLong()));
            }
            for (Generation g : lm.generate(reqs, cap(3))) {
                counts[g.completion().get(2)]++;
            }
        }
        double pv = TokenSamplerTest.pValue(expected, counts);
        System.out.println("generate next-token chi-square p = " + pv);
        assertThat(pv).isGreaterThan(1e-3);
        // top-k through generate: only the k most likely ids appear
        int[] order = java.util.stream.IntStream.range(0, expected.length).boxed()
                .sorted((a, b) -> Double.compare(expected[b], expected[a])).mapToInt(Integer::intValue).toArray();
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reqs.add(new GenerationRequest(p, prefix, rng.nextLong()));
        }
        for (Generation g : lm.generate(reqs, cap(3).withTopK(2))) {
            assertThat(g.completion().get(2)).isIn(order[0], order[1]);
        }
    }

    @Test
    void prefixReuseCountsPromptOnceAndChainPrefixes() {
        Prompt p = lm.prompt("reuse counting prompt");
        int len = p.ids().length();
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            reqs.add(GenerationRequest.fresh(p, 3 + i));
        }
        int cachedBefore = 0;
        for (int s = 0; s < lm.pool().cache().slots(); s++) {
            cachedBefore = Math.max(cachedBefore, lm.pool().cache().commonPrefix(s, p.ids().toArray()));
        }
        assertThat(cachedBefore).isLessThan(len - 1);
        List<Generation> gs = lm.generate(reqs, cap(20));
        long computed = gs.stream().mapToLong(g -> g.usage().computedInputTokens()).sum();
        long reused = gs.stream().mapToLong(g -> g.usage().reusedInputTokens()).sum();
        assertThat(computed + reused).isEqualTo(8L * len);
        // the uncached part of the prompt once, then each row only its last prompt token
        assertThat(computed).isEqualTo(len - cachedBefore + 7L);
        // continue from a prefix of a previous sample: only one input token is recomputed
        Generation g0 = gs.get(0);
        int i = Math.max(1, g0.completion().length() / 2);
        Generation next = lm.generate(List.of(new GenerationRequest(p, g0.completion().prefix(i), 4)), cap(20))
                .get(0);
        assertThat(next.usage().computedInputTokens()).isEqualTo(1);
        assertThat(next.usage().reusedInputTokens()).isEqualTo(len + i - 1);
    }

    @Test
    void rewardModelWithItsOwnCodecRendersPromptAndCompletionText() {
        LlamaConfig rc = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 23, 32, 40, 2, 4, 2, 128, null,
                false);
        TinyWeights w = new TinyWeights(rc, 32);
        ReferenceLlama ref = new ReferenceLlama(w);
        CharCodec codec = new CharCodec(23);
        try (LlamaRewardModel rm = new LlamaRewardModel(LlamaModelTest.model(w), codec,
                LlamaOptions.builder().maxBatchSize(4).build(), true)) {
            Prompt p = lm.prompt("question");
            // the policy ids are ignored: the RM re-encodes prompt text + completion text with its own codec
            RewardRequest a = new RewardRequest(p, TokenIds.of(9, 9), "an answer text");
            RewardRequest b = new RewardRequest(p, TokenIds.of(4), "an answer that differs");
            List<Reward> rs = List.of(rm.score(a), rm.score(b));
            assertThat(rm.inputIds(a)).containsExactly(codec.encodeExchange("question", "an answer text"));
            assertThat(Math.abs(rs.get(0).value() - ref.score(codec.encodeExchange("question", "an answer text"))[0]))
                    .isLessThan(1e-4);
            assertThat(Math.abs(rs.get(1).value()
                    - ref.score(codec.encodeExchange("question", "an answer that differs"))[0])).isLessThan(1e-4);
            // the second (scored after the first) shares "question|an answer t" with it: only the rest is computed
            int shared = TokenIds.of(codec.encodeExchange("question", "an answer text"))
                    .commonPrefixLength(TokenIds.of(codec.encodeExchange("question", "an answer that differs")));
            assertThat(shared).isEqualTo("question|an answer t".length() + 1);
            assertThat(rs.get(1).usage().reusedInputTokens()).isEqualTo(shared);
        }
    }

    @Test
    void rewardModelCachedScoresEqualFullRecomputeWithReuse() {
        LlamaConfig rc = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 23, 32, 40, 2, 4, 2, 128, null,
                false);
        TinyWeights w = new TinyWeights(rc, 31);
        ReferenceLlama ref = new ReferenceLlama(w);
        try (LlamaRewardModel rm = new LlamaRewardModel(LlamaModelTest.model(w), null,
                LlamaOptions.builder().maxBatchSize(4).build(), true)) {
            Prompt p = lm.prompt("score me");
            List<RewardRequest> reqs = new ArrayList<>();
            int[] y = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
            for (int k = 4; k <= 10; k++) {
                int[] yk = java.util.Arrays.copyOf(y, k);
                yk[k - 1] = 3 + k;
                reqs.add(new RewardRequest(p, TokenIds.of(yk), ""));
            }
            List<Reward> first = rm.score(reqs);
            List<Reward> second = rm.score(reqs);
            for (int j = 0; j < reqs.size(); j++) {
                int[] ids = p.ids().concat(reqs.get(j).completion()).toArray();
                double expected = ref.score(ids)[0];
                assertThat(Math.abs(first.get(j).value() - expected)).isLessThan(1e-4);
                assertThat(Math.abs(second.get(j).value() - expected)).isLessThan(1e-4);
                TokenUsage u = first.get(j).usage();
                assertThat(u.computedInputTokens() + u.reusedInputTokens()).isEqualTo(ids.length);
                assertThat(second.get(j).usage().computedInputTokens()).isEqualTo(1);
            }
            // one call with candidates sharing the prompt and y[0:3]: the shared part is computed once
            try (LlamaRewardModel fresh = new LlamaRewardModel(LlamaModelTest.model(new TinyWeights(rc, 31)), null,
                    LlamaOptions.builder().maxBatchSize(4).build(), true)) {
                List<RewardRequest> batch = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    batch.add(new RewardRequest(p, TokenIds.of(5, 6, 7, 10 + k, 3 + k), ""));
                }
                List<Reward> rs = fresh.score(batch);
                long computedTotal = rs.stream().mapToLong(x -> x.usage().computedInputTokens()).sum();
                int shared = p.ids().length() + 3;
                assertThat(computedTotal).isEqualTo(shared + 4L * 2);
                for (int j = 0; j < 4; j++) {
                    double expected = ref.score(p.ids().concat(batch.get(j).completion()).toArray())[0];
                    assertThat(Math.abs(rs.get(j).value() - expected)).isLessThan(1e-4);
                    assertThat(rs.get(j).usage().computedInputTokens() + rs.get(j).usage().reusedInputTokens())
                            .isEqualTo(shared + 2);
                }
            }
            // a candidate sharing y[0:6] with a scored one only computes the new suffix
            int[] cand = java.util.Arrays.copyOf(y, 9);
            cand[6] = 20;
            Reward r = rm.score(new RewardRequest(p, TokenIds.of(cand), ""));
            assertThat(r.usage().computedInputTokens()).isEqualTo(3);
            assertThat(Math.abs(r.value() - ref.score(p.ids().concat(TokenIds.of(cand)).toArray())[0]))
                    .isLessThan(1e-4);
        }
    }
}
