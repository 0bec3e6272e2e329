package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** Chain invariants over random small configurations, including the edge case cap = 1 (|y| = 1 always). */
class QAlignSamplerPropertiesTest {

    @Property(tries = 150, seed = "20261127")
    void chainInvariantsHold(@ForAll @IntRange(min = 1, max = 4) int symbols,
                             @ForAll @IntRange(min = 1, max = 7) int cap,
                             @ForAll @IntRange(min = 0, max = 12) int steps,
                             @ForAll @IntRange(min = 1, max = 3) int chains,
                             @ForAll @IntRange(min = 1, max = 3) int nPrompts,
                             @ForAll @DoubleRange(min = 0.01, max = 50) double beta,
                             @ForAll boolean independence,
                             @ForAll long seed) {
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(symbols).seed(seed).build();
        ToyRewardModel rm = ToyRewardModel.seeded(seed + 1, 2.0);
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(cap);
        List<Prompt> prompts = java.util.stream.IntStream.range(0, nPrompts).mapToObj(i -> lm.prompt("q" + i))
                .toList();
        Proposal proposal = independence ? Proposal.INDEPENDENCE : Proposal.SUFFIX;
        QAlignResult r = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(beta).steps(steps)
                .chainsPerPrompt(chains).sampling(cfg).proposal(proposal).build()
                .run(prompts, new SplittableRandom(seed));
        assertThat(lm.generateCalls()).isEqualTo(steps + 1L);
        assertThat(rm.scoreCalls()).isEqualTo(steps + 1L);
        for (PromptResult p : r.prompts()) {
            assertThat(p.chains()).hasSize(chains);
            for (ChainResult c : p.chains()) {
                assertThat(c.states()).hasSize(steps + 1);
                for (ScoredSample s : c.states()) {
                    int len = s.completion().length();
                    assertThat(len).isBetween(1, cap);
                    assertThat(s.finishReason() == FinishReason.LENGTH).isEqualTo(s.completion().last() != lm.eosId());
                    assertThat(s.reward()).isEqualTo(rm.reward(p.prompt(), s.completion()));
                }
                ScoredSample prev = c.initial();
                for (ChainStep st : c.steps()) {
                    assertThat(st.index()).isBetween(0, prev.completion().length() - 1);
                    if (independence || cap == 1) {
                        assertThat(st.index()).isZero();
                    }
                    assertThat(st.candidate().completion().startsWith(prev.completion().prefix(st.index()))).isTrue();
                    assertThat(st.state()).isEqualTo(st.accepted() ? st.candidate() : prev);
                    assertThat(st.logAlpha()).isNotNaN();
                    prev = st.state();
                }
            }
        }
    }
}
