package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ExactDistribution;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Chains started from given completions, and the importance-resampled initial state. */
class WarmStartTest {

    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(4);
    final ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(7).parameterCount(100).build();
    final ToyRewardModel rm = ToyRewardModel.seeded(11, 1.0).withParameterCount(1000);
    final List<Prompt> prompts = List.of(lm.prompt("p0"), lm.prompt("p1"));
    final List<KeyedPrompt> keyed = prompts.stream().map(KeyedPrompt::of).toList();

    QAlignSampler.Builder builder() {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.5).steps(5).chainsPerPrompt(4)
                .sampling(CFG);
    }

    WarmStart unscored(int... ids) {
        TokenIds y = TokenIds.of(ids);
        return WarmStart.unscored(y, lm.decode(y), FinishReason.EOS);
    }

    @Test
    void scoredStartsAreUsedAsGivenAndCostNothing() {
        ScoredSample given = new ScoredSample(TokenIds.of(0, 1, lm.eosId()), "given", 3.25, FinishReason.EOS);
        QAlignResult r = builder().build().runFrom(keyed, List.of(List.of(WarmStart.of(given)),
                List.of(WarmStart.of(given))), 1L);
        assertThat(lm.generateCalls()).isEqualTo(5); // steps only
        assertThat(rm.scoreCalls()).isEqualTo(5);
        for (PromptResult p : r.prompts()) {
            for (ChainResult c : p.chains()) {
                assertThat(c.initial()).isEqualTo(given); // the given reward is kept, not re-scored
                assertThat(c.initialUsage().flops()).isZero();
                assertThat(c.steps().get(0).currentReward()).isEqualTo(3.25);
            }
        }
    }

    @Test
    void unscoredStartsAreScoredOnceInOneCallAndAccounted() {
        List<List<WarmStart>> starts = List.of(List.of(unscored(0, lm.eosId()), unscored(1, 1, 1, 1)),
                List.of(unscored(2, lm.eosId())));
        QAlignResult r = builder().build().runFrom(keyed, starts, 2L);
        assertThat(lm.generateCalls()).isEqualTo(5);
        assertThat(rm.scoreCalls()).isEqualTo(6); // the starts in one call, then one per step
        for (PromptResult p : r.prompts()) {
            for (ChainResult c : p.chains()) {
                List<WarmStart> ws = starts.get(p.promptIndex());
                WarmStart expected = ws.get(c.chainIndex() % ws.size()); // reused cyclically
                assertThat(c.initial().completion()).isEqualTo(expected.completion());
                assertThat(c.initial().reward()).isEqualTo(rm.reward(p.prompt(), expected.completion()));
                assertThat(c.initialUsage().lm().computedTokens()).isZero();
                assertThat(c.initialUsage().rm().computedTokens()).isPositive();
            }
        }
    }

    @Test
    void aWarmStartedChainIsPerPromptDeterministicAndDrawsNothingForItsStart() {
        List<List<WarmStart>> starts = List.of(List.of(unscored(0, 1, lm.eosId())), List.of(unscored(2, 2)));
        QAlignResult both = builder().build().runFrom(keyed, starts, 3L);
        QAlignResult second = builder().build().runFrom(keyed.subList(1, 2), starts.subList(1, 2), 3L);
        assertThat(second.prompt(0).chains().get(2).steps()).isEqualTo(both.prompt(1).chains().get(2).steps());
        // no draw for the start: the first step's index is the stream's first draw
        for (int k = 0; k < 4; k++) {
            int first = RandomStreams.stream(3L, keyed.get(0).key(), k).nextInt(3);
            assertThat(both.prompt(0).chains().get(k).steps().get(0).index()).isEqualTo(first);
        }
    }

    @Test
    void badStartsAreRejectedWithTheirPosition() {
        QAlignSampler s = builder().build();
        assertThatThrownBy(() -> s.runFrom(keyed, List.of(List.of(unscored(0))), 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one list per prompt");
        assertThatThrownBy(() -> s.runFrom(keyed, List.of(List.of(unscored(0)), List.of()), 1L))
                .hasMessageContaining("starts[1] is empty");
        assertThatThrownBy(() -> s.runFrom(keyed, List.of(List.of(unscored(0)), List.of(unscored(0, 0, 0, 0, 0))),
                1L)).hasMessageContaining("starts[1][0] has 5 tokens").hasMessageContaining("maxCompletionTokens=4");
        assertThatThrownBy(() -> WarmStart.unscored(TokenIds.empty(), "", FinishReason.EOS))
                .hasMessageContaining("at least one token");
        assertThatThrownBy(() -> new WarmStart(TokenIds.of(1), "", FinishReason.EOS, OptionalDouble.of(Double.NaN)))
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> builder().initialCandidates(0).build()).hasMessageContaining("initialCandidates");
    }

    @Test
    void resamplingFollowsSoftmaxWeights() {
        List<ScoredSample> s = List.of(sample(0.0), sample(Math.log(3) * 0.5), sample(Double.MAX_VALUE / 4));
        // beta 0.5: weights 1, 3, huge -> everything on the last one
        assertThat(Chain.resample(s, 0.5, 0.0)).isEqualTo(2);
        List<ScoredSample> two = List.of(sample(0.0), sample(Math.log(3) * 0.5));
        // weights 1 : 3 -> u < 0.25 picks 0, else 1
        assertThat(Chain.resample(two, 0.5, 0.2499)).isZero();
        assertThat(Chain.resample(two, 0.5, 0.2501)).isEqualTo(1);
        assertThat(Chain.resample(two, 0.5, Math.nextDown(1.0))).isEqualTo(1);
    }

    static ScoredSample sample(double r) {
        return new ScoredSample(TokenIds.of(1), "", r, FinishReason.EOS);
    }

    @Test
    void importanceResampledStartsMoveTowardsTheTargetAndCountTheirCost() {
        Prompt p = prompts.get(0);
        double beta = 0.5;
        ExactDistribution base = ExactDistribution.languageModel(lm, p, CFG);
        ExactDistribution pi = ExactDistribution.target(lm, rm, p, CFG, beta);
        double[] tv = new double[3];
        int[] ns = {1, 4, 32};
        for (int i = 0; i < ns.length; i++) {
            lm.resetCounters();
            QAlignResult r = builder().beta(beta).steps(0).chainsPerPrompt(4000).initialCandidates(ns[i]).build()
                    .run(p, 10L + i);
            List<TokenIds> starts = new ArrayList<>();
            long lmTokens = 0;
            for (ChainResult c : r.prompt(0).chains()) {
                starts.add(c.initial().completion());
                lmTokens += c.initialUsage().lm().generatedTokens();
            }
            // every base sample is paid for: the chains' initial usage holds all generated tokens
            assertThat(lmTokens).isEqualTo(lm.generatedTokens());
            assertThat(lm.generateRequests()).isEqualTo(4000L * ns[i]);
            tv[i] = pi.totalVariation(ExactDistribution.empirical(starts));
            if (ns[i] == 1) {
                // n = 1 is the plain p_LM start (4000 draws over 121 completions: sampling noise alone is ~0.04)
                double tvBase = base.totalVariation(ExactDistribution.empirical(starts));
                System.out.printf("TV(n=1 starts, p_LM) %.3f%n", tvBase);
                assertThat(tvBase).isLessThan(0.08);
            }
        }
        System.out.printf("TV(start, pi): n=1 %.3f, n=4 %.3f, n=32 %.3f; TV(p_LM, pi) %.3f%n", tv[0], tv[1], tv[2],
                pi.totalVariation(base.probabilities()));
        assertThat(tv[1]).isLessThan(tv[0]);
        assertThat(tv[2]).isLessThan(tv[1]);
        assertThat(tv[2]).isLessThan(0.15); // SIR bias at n = 32 plus sampling noise (~0.04)
        // n = 1 equals the default cold start, draw for draw
        assertThat(builder().initialCandidates(1).build().run(prompts, 5L))
                .isEqualTo(builder().build().run(prompts, 5L));
    }
}
