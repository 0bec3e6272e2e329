package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.Generation;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ExactDistribution;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class IndependentSamplerTest {

    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(4);
    ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(7).parameterCount(10).build();
    ToyRewardModel rm = ToyRewardModel.seeded(11, 1.0).withParameterCount(20);
    List<Prompt> prompts = List.of(lm.prompt("p0"), lm.prompt("p1"), lm.prompt("p2"));

    @Test
    void oneBatchCallEachOrChunked() {
        IndependentSampler s = IndependentSampler.builder().languageModel(lm).rewardModel(rm).samplesPerPrompt(10)
                .sampling(CFG).build();
        IndependentResult r = s.run(prompts, new SplittableRandom(1));
        assertThat(lm.generateCalls()).isEqualTo(1);
        assertThat(rm.scoreCalls()).isEqualTo(1);
        assertThat(r.prompts()).hasSize(3);
        r.prompts().forEach(p -> assertThat(p.samples()).hasSize(10));

        lm.resetCounters();
        rm.resetCounters();
        IndependentResult chunked = IndependentSampler.builder().languageModel(lm).rewardModel(rm)
                .samplesPerPrompt(10).sampling(CFG).maxBatchSize(7).build().run(prompts, new SplittableRandom(1));
        assertThat(lm.generateCalls()).isEqualTo(5); // ceil(30 / 7)
        assertThat(rm.scoreCalls()).isEqualTo(5);
        assertThat(chunked).isEqualTo(r); // the toy model's draws do not depend on batching
    }

    @Test
    void samplesAreScoredAndAccounted() {
        IndependentResult r = IndependentSampler.builder().languageModel(lm).rewardModel(rm).samplesPerPrompt(50)
                .sampling(CFG).build().run(prompts, new SplittableRandom(2));
        long generated = 0;
        for (PromptSamples p : r.prompts()) {
            for (ScoredSample s : p.samples()) {
                assertThat(s.reward()).isEqualTo(rm.reward(p.prompt(), s.completion()));
                assertThat(s.text()).isEqualTo(lm.decode(s.completion()));
                generated += s.completion().length();
            }
            assertThat(p.samples(5)).isEqualTo(p.samples().subList(0, 5));
            assertThat(p.usage(0).flops()).isZero();
        }
        assertThat(r.usage().lm().generatedTokens()).isEqualTo(generated);
        assertThat(r.usage().lmParameters()).isEqualTo(10);
        assertThat(r.usage().rmParameters()).isEqualTo(20);
        IndependentResult again = IndependentSampler.builder().languageModel(lm).rewardModel(rm)
                .samplesPerPrompt(50).sampling(CFG).build().run(prompts, new SplittableRandom(2));
        assertThat(again).isEqualTo(r);
    }

    /**
     * Self-normalized importance sampling with weights softmax(r / beta) (log-sum-exp) over independent samples of
     * p_LM estimates pi-expectations. Error bound: with Kish's effective size n_eff = 1 / sum w_i^2, the estimator's
     * standard error is about sd_pi(f) / sqrt(n_eff) (delta method); we require |error| <= 4 of those.
     */
    @Test
    void importanceWeightedEstimatesConvergeToExactPiExpectations() {
        double beta = 0.5;
        Prompt p = prompts.get(1);
        ExactDistribution pi = ExactDistribution.target(lm, rm, p, CFG, beta);
        Predicate<TokenIds> shortSeq = y -> y.length() <= 2;
        ToDoubleFunction<TokenIds> length = TokenIds::length;
        ToDoubleFunction<TokenIds> inSet = y -> shortSeq.test(y) ? 1 : 0;
        double exactLen = pi.expectation(length);
        double exactSet = pi.probability(shortSeq);
        double prevErr = Double.POSITIVE_INFINITY;
        for (int n : new int[] {1_000, 100_000}) {
            List<ScoredSample> samples = IndependentSampler.builder().languageModel(lm).rewardModel(rm)
                    .samplesPerPrompt(n).sampling(CFG).build().run(p, new SplittableRandom(n)).prompt(0).samples();
            double[] w = softmax(samples, beta);
            double nEff = 0;
            for (double wi : w) {
                nEff += wi * wi;
            }
            nEff = 1 / nEff;
            double err = 0;
            for (ToDoubleFunction<TokenIds> f : List.of(length, inSet)) {
                double est = 0;
                for (int i = 0; i < n; i++) {
                    est += w[i] * f.applyAsDouble(samples.get(i).completion());
                }
                double exact = f == length ? exactLen : exactSet;
                double var = pi.expectation(y -> Math.pow(f.applyAsDouble(y) - exact, 2));
                double se = Math.sqrt(var / nEff);
                assertThat(Math.abs(est - exact)).as("n=%d estimate %f exact %f se %f", n, est, exact, se)
                        .isLessThanOrEqualTo(4 * se);
                err += Math.abs(est - exact);
            }
            if (n == 100_000) {
                assertThat(err).as("error shrinks with n").isLessThan(prevErr);
                assertThat(nEff).isGreaterThan(5_000); // so 4 se is a tight tolerance here (se <= sd / 70)
            }
            prevErr = err;
        }
    }

    static double[] softmax(List<ScoredSample> samples, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (ScoredSample s : samples) {
            max = Math.max(max, s.reward() / beta);
        }
        double[] w = new double[samples.size()];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(samples.get(i).reward() / beta - max);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> IndependentSampler.builder().languageModel(lm).rewardModel(rm).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samplesPerPrompt");
        assertThatThrownBy(() -> IndependentSampler.builder().languageModel(lm).rewardModel(rm).samplesPerPrompt(1)
                .maxBatchSize(0).build()).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> IndependentSampler.builder().rewardModel(rm).samplesPerPrompt(1).build())
                .hasMessageContaining("languageModel");
        IndependentSampler s = IndependentSampler.builder().languageModel(lm).rewardModel(rm).samplesPerPrompt(2)
                .sampling(CFG).build();
        assertThatThrownBy(() -> s.run(List.of(), new SplittableRandom(1))).hasMessageContaining("prompts");
        IndependentSampler faulty = IndependentSampler.builder()
                .languageModel(new FaultyLanguageModel(lm, 1, (req, g) -> g.subList(1, g.size())))
                .rewardModel(rm).samplesPerPrompt(2).maxBatchSize(4).sampling(CFG).build();
        assertThatThrownBy(() -> faulty.run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("1 generations for 2 requests");
        IndependentSampler empty = IndependentSampler.builder()
                .languageModel(new FaultyLanguageModel(lm, 0, (req, g) -> {
                    List<Generation> out = new ArrayList<>(g);
                    Generation x = g.get(3);
                    out.set(3, new Generation(TokenIds.empty(), 0, "", x.finishReason(), x.usage()));
                    return out;
                })).rewardModel(rm).samplesPerPrompt(2).sampling(CFG).build();
        assertThatThrownBy(() -> empty.run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("prompt 1 sample 1");
    }
}
