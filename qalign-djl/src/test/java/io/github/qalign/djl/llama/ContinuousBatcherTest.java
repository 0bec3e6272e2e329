package io.github.qalign.djl.llama;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.BatchingRewardModel;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ContinuousBatcher} on the embedded stories260K: every completion equals the same request through the batch
 * {@link LlamaLanguageModel#generate}, requests join a running decode, close fails what is left, and a QAlign run over
 * it gives the chains of the lockstep run.
 */
class ContinuousBatcherTest {

    static LlamaLanguageModel lm;
    static LlamaRewardModel rm;

    @BeforeAll
    static void load() {
        lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), LlamaOptions.builder().maxBatchSize(8).build());
        rm = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), LlamaOptions.builder().maxBatchSize(8).build(),
                true);
    }

    @AfterAll
    static void close() {
        rm.close();
        lm.close();
    }

    /** Requests with prompts of several lengths, prefixes of 0..k tokens, seeds 0..n-1. */
    static List<GenerationRequest> requests(int n) {
        List<Prompt> prompts = List.of(lm.prompt(""), lm.prompt("Once upon a time"),
                lm.prompt("The little dog ran to the park and saw a big red ball"));
        TokenIds words = TokenIds.of(java.util.Arrays.copyOfRange(
                lm.prompt("Lily was happy because she had a new toy").ids().toArray(), 1, 9));
        List<GenerationRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = (i * 3) % 7;
            out.add(new GenerationRequest(prompts.get(i % prompts.size()), words.slice(0, k), 1000L + i));
        }
        return out;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void everyCompletionEqualsTheBatchGenerateOfTheSameRequest() throws Exception {
        List<SamplingConfig> configs = List.of(SamplingConfig.defaults().withMaxCompletionTokens(12),
                SamplingConfig.defaults().withMaxCompletionTokens(240).withTemperature(0.8).withTopK(20),
                SamplingConfig.defaults().withMaxCompletionTokens(30).withTemperature(0));
        List<GenerationRequest> reqs = requests(21);
        Set<FinishReason> reasons = EnumSet.noneOf(FinishReason.class);
        try (ContinuousBatcher cb = new ContinuousBatcher(lm, 3, 100)) {
            List<CompletableFuture<Generation>> fs = new ArrayList<>();
            for (int i = 0; i < reqs.size(); i++) {
                fs.add(cb.generate(reqs.get(i), configs.get(i % configs.size())));
            }
            for (int i = 0; i < reqs.size(); i++) {
                Generation g = get(fs.get(i));
                Generation expected = lm.generate(List.of(reqs.get(i)), configs.get(i % configs.size())).get(0);
                assertThat(g.completion()).as("request %d", i).isEqualTo(expected.completion());
                assertThat(g.text()).isEqualTo(expected.text());
                assertThat(g.finishReason()).isEqualTo(expected.finishReason());
                assertThat(g.prefixLength()).isEqualTo(reqs.get(i).prefix().length());
                assertThat(g.usage().generatedTokens()).isEqualTo(g.completion().length() - g.prefixLength());
                reasons.add(g.finishReason());
            }
            // more requests than rows: never more rows than allowed, and rows were refilled while others ran
            assertThat(cb.stats().maxRows()).isEqualTo(3);
            assertThat(cb.stats().joinedRunning()).isPositive();
            assertThat(cb.stats().requests()).isEqualTo(reqs.size());
        }
        assertThat(reasons).containsExactlyInAnyOrder(FinishReason.EOS, FinishReason.LENGTH);
    }

    @Test
    void aRequestSubmittedDuringADecodeJoinsIt() throws Exception {
        SamplingConfig greedy = SamplingConfig.defaults().withTemperature(0).withMaxCompletionTokens(120);
        GenerationRequest longOne = GenerationRequest.fresh(lm.prompt("Once upon a time"), 1);
        int longLength = lm.generate(List.of(longOne), greedy).get(0).completion().length();
        assertThat(longLength).isGreaterThan(20); // the row that keeps running
        GenerationRequest shortOne = GenerationRequest.fresh(lm.prompt(""), 2);
        try (ContinuousBatcher cb = new ContinuousBatcher(lm, 4, 100)) {
            AtomicLong rowsAtSubmit = new AtomicLong(-1);
            List<CompletableFuture<Generation>> late = java.util.Collections.synchronizedList(new ArrayList<>());
            // the second request finishes after 3 tokens (prefix 117 of cap 120); its callback, on the scheduler
            // thread, submits two more while the long row is still decoding
            int[] filler = new int[117];
            java.util.Arrays.fill(filler, 300);
            // every prompt is encoded before the first submission: prompt() waits while the batcher decodes
            GenerationRequest three = new GenerationRequest(lm.prompt(""), TokenIds.of(filler), 3);
            GenerationRequest fourth = GenerationRequest.fresh(lm.prompt("Once upon a time"), 4);
            CompletableFuture<Generation> a;
            CompletableFuture<Generation> b;
            synchronized (lm) { // the scheduler needs the model's monitor to start: both are admitted together
                a = cb.generate(longOne, greedy);
                b = cb.generate(three, greedy).whenComplete((g, e) -> {
                    rowsAtSubmit.set(a.isDone() ? 0 : 1);
                    late.add(cb.generate(shortOne, greedy));
                    late.add(cb.generate(fourth, greedy));
                });
            }
            get(b);
            Generation g = get(a);
            for (CompletableFuture<Generation> f : late) {
                get(f);
            }
            assertThat(g.completion().length()).isEqualTo(longLength);
            assertThat(rowsAtSubmit.get()).isEqualTo(1);
            // both late requests joined the running decode: 3 rows in a pass after only 1 ran at submit time (the
            // first pass had 2)
            assertThat(cb.stats().joinedRunning()).isEqualTo(2);
            assertThat(cb.stats().maxRows()).isEqualTo(3);
            assertThat(get(late.get(1)).completion())
                    .isEqualTo(lm.generate(List.of(fourth), greedy).get(0).completion());
        }
    }

    @Test
    void closeFailsPendingAndLaterRequestsAndInvalidRequestsFailAlone() throws Exception {
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(200);
        List<CompletableFuture<Generation>> fs = new ArrayList<>();
        ContinuousBatcher cb = new ContinuousBatcher(lm, 1, 100);
        CompletableFuture<Generation> tooLong = cb.generate(GenerationRequest.fresh(lm.prompt("a"), 1),
                SamplingConfig.defaults().withMaxCompletionTokens(lm.contextLength()));
        assertThatThrownBy(() -> get(tooLong)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the context length");
        Prompt once = lm.prompt("Once upon a time"); // encoded before: prompt() waits while the batcher decodes
        for (int i = 0; i < 6; i++) {
            fs.add(cb.generate(GenerationRequest.fresh(once, 10 + i), cfg));
        }
        cb.close();
        int cancelled = 0;
        for (CompletableFuture<Generation> f : fs) {
            assertThat(f).isDone();
            if (f.isCompletedExceptionally()) {
                assertThatThrownBy(() -> get(f)).hasCauseInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("ContinuousBatcher closed");
                cancelled++;
            }
        }
        assertThat(cancelled).isGreaterThanOrEqualTo(4); // one row: at most the first ran before close
        CompletableFuture<Generation> after = cb.generate(GenerationRequest.fresh(once, 1), cfg);
        assertThatThrownBy(() -> get(after)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        // the model is still usable (the batcher never closes it)
        assertThat(lm.generate(List.of(GenerationRequest.fresh(lm.prompt("a"), 1)), cfg)).hasSize(1);
    }

    @Test
    void aFullQueueRejectsAndBadArgumentsAreNamed() {
        assertThatThrownBy(() -> new ContinuousBatcher(lm, lm.maxBatch() + 1, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows");
        assertThatThrownBy(() -> new ContinuousBatcher(lm, 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity");
    }

    @Test
    void qalignOverTheBatcherGivesTheLockstepChains() {
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(32);
        List<Prompt> prompts = List.of(lm.prompt("Once upon a time"), lm.prompt("The cat"));
        QAlignSampler.Builder b = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1.0).steps(8)
                .chainsPerPrompt(4).sampling(cfg);
        QAlignResult lockstep = b.build().run(prompts, 77L);
        QAlignResult async;
        try (ContinuousBatcher cb = new ContinuousBatcher(lm, 8, 1000);
             BatchingRewardModel brm = BatchingRewardModel.of(rm, 8, 1)) {
            async = b.asyncModels(cb, brm).build().run(prompts, 77L);
            assertThat(cb.stats().joinedRunning()).isPositive();
        }
        // Same seed => the lockstep run's tokens, indices and accept decisions, up to float rounding: the logits of a
        // row differ in the last bits with the batch composition (which here depends on timing), so a sampled token
        // can move to the neighbouring bucket of the cumulative distribution when the chain's uniform lies within
        // ~1e-6 of its boundary. At temperature 1 without truncation the buckets are in vocabulary order, so such a
        // flip changes a token id by exactly 1 (seen: one initial sample, 445 vs 444, in about one run of six), and
        // the chain diverges from there. Every chain must be identical or diverge first at such a +-1 flip; at most
        // 2 of the 8 chains may diverge; rewards and log alphas of identical chains agree to 1e-5 (the reward model
        // batches differently: seen |diff| ~5e-7). The input-token accounting differs by design (the batcher places
        // each request when it starts, so it reuses different cached prefixes than the lockstep prefill).
        List<List<Object>> ca = chains(async);
        List<List<Object>> cl = chains(lockstep);
        assertThat(ca).hasSameSizeAs(cl);
        int diverged = 0;
        for (int c = 0; c < ca.size(); c++) {
            if (ca.get(c).equals(cl.get(c))) {
                assertThat(scores(async, c)).containsExactly(scores(lockstep, c), org.assertj.core.data.Offset.offset(1e-5));
                continue;
            }
            diverged++;
            int[] at = firstTokenDifference(ca.get(c), cl.get(c));
            assertThat(Math.abs(at[0] - at[1])).as("chain %d: first difference %s vs %s", c, at[0], at[1]).isEqualTo(1);
        }
        assertThat(diverged).isLessThanOrEqualTo(2);
    }

    /** Per chain: the initial completion, then per step (index, candidate completion, accepted, state completion). */
    static List<List<Object>> chains(QAlignResult r) {
        List<List<Object>> out = new ArrayList<>();
        for (var p : r.prompts()) {
            for (var c : p.chains()) {
                List<Object> chain = new ArrayList<>();
                chain.add(c.initial().completion());
                for (var s : c.steps()) {
                    chain.add(s.index());
                    chain.add(s.candidate().completion());
                    chain.add(s.accepted());
                    chain.add(s.state().completion());
                }
                out.add(chain);
            }
        }
        return out;
    }

    /** The two tokens at the first position where the first differing item (a completion) of two chains differs. */
    static int[] firstTokenDifference(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                assertThat(a.get(i)).as("item %d of a chain first differs in a completion", i).isInstanceOf(TokenIds.class);
                int[] x = ((TokenIds) a.get(i)).toArray();
                int[] y = ((TokenIds) b.get(i)).toArray();
                for (int k = 0; k < Math.min(x.length, y.length); k++) {
                    if (x[k] != y[k]) {
                        return new int[] {x[k], y[k]};
                    }
                }
                return new int[] {x.length, y.length + 2}; // differs only in length: not a bucket flip
            }
        }
        throw new AssertionError("chains differ but no item does");
    }

    /** One chain's initial reward and per-step candidate reward and log alpha. */
    static double[] scores(QAlignResult r, int chain) {
        List<Double> out = new ArrayList<>();
        int n = 0;
        for (var p : r.prompts()) {
            for (var c : p.chains()) {
                if (n++ != chain) {
                    continue;
                }
                out.add(c.initial().reward());
                for (var s : c.steps()) {
                    out.add(s.candidate().reward());
                    out.add(s.logAlpha());
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
