package io.github.qalign.testing;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Temperature 0 is greedy argmax in the toy model, its exact distribution and {@link SamplingConfig}. */
class ToyLanguageModelGreedyTest {

    private final ToyLanguageModel lm = ToyLanguageModel.builder().symbols(4).seed(3).build();
    private final Prompt prompt = lm.prompt("greedy");
    private final SamplingConfig greedy = SamplingConfig.defaults().withTemperature(0).withMaxCompletionTokens(6);

    @Test
    void temperatureZeroIsAcceptedAndArgmaxBreaksTiesToTheLowestIndex() {
        assertThat(greedy.isGreedy()).isTrue();
        assertThat(SamplingConfig.defaults().isGreedy()).isFalse();
        assertThat(SamplingConfig.argmax(new double[] {0.1, 0.4, 0.2, 0.4})).isEqualTo(1);
        assertThat(SamplingConfig.argmax(new double[] {Double.NaN, -1, -1})).isEqualTo(1);
        assertThatThrownBy(() -> SamplingConfig.defaults().withTemperature(-0.1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
        assertThatThrownBy(() -> SamplingConfig.defaults().withTemperature(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void greedyNextTokenIsThePointMassOnTheMostLikelyTokenAtAnyTemperature() {
        for (TokenIds prefix : List.of(TokenIds.empty(), TokenIds.of(0), TokenIds.of(2, 1))) {
            double[] p1 = lm.nextTokenProbabilities(prompt, prefix, SamplingConfig.defaults());
            double[] p0 = lm.nextTokenProbabilities(prompt, prefix, greedy);
            int argmax = SamplingConfig.argmax(p1);
            for (int i = 0; i < p0.length; i++) {
                assertThat(p0[i]).isEqualTo(i == argmax ? 1.0 : 0.0);
            }
        }
    }

    @Test
    void greedyGenerationIsTheSingleCompletionOfTheExactDistributionWhateverTheSeed() {
        Map<TokenIds, Double> exact = lm.distribution(prompt, greedy);
        assertThat(exact).hasSize(1);
        TokenIds mode = exact.keySet().iterator().next();
        assertThat(exact.get(mode)).isEqualTo(1.0);
        // built by following argmax step by step
        int[] buf = new int[6];
        int len = 0;
        while (len < 6) {
            int next = SamplingConfig.argmax(lm.nextTokenProbabilities(prompt, TokenIds.of(buf, 0, len),
                    SamplingConfig.defaults()));
            buf[len++] = next;
            if (next == lm.eosId()) {
                break;
            }
        }
        assertThat(mode).isEqualTo(TokenIds.of(buf, 0, len));
        List<Generation> gs = lm.generate(List.of(GenerationRequest.fresh(prompt, 1), GenerationRequest.fresh(prompt,
                99), GenerationRequest.fresh(prompt, -5)), greedy);
        for (Generation g : gs) {
            assertThat(g.completion()).isEqualTo(mode);
            assertThat(g.finishReason()).isEqualTo(mode.last() == lm.eosId() ? FinishReason.EOS : FinishReason.LENGTH);
        }
    }
}
