package io.github.qalign.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.ChainStep;
import io.github.qalign.sampler.Proposal;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ChainDiagnosticsTest {

    static ScoredSample s(double r, int... ids) {
        return new ScoredSample(TokenIds.of(ids), "", r, FinishReason.EOS);
    }

    @Test
    void handBuiltChain() {
        ScoredSample y0 = s(0.0, 1, 2, 3, 9);          // |y| = 4
        ScoredSample c1 = s(1.0, 1, 5, 9);             // i = 1, 2 generated, accepted
        ScoredSample c2 = s(-1.0, 7, 7, 7, 7, 7, 9);   // i = 0, 6 generated, rejected
        ScoredSample c3 = s(2.0, 1, 5, 8, 9);          // i = 2, 2 generated, accepted
        ComputeUsage u = ComputeUsage.ZERO;
        ChainResult chain = new ChainResult(0, 0, y0, u, List.of(
                new ChainStep(1, 1, 4, 0.0, c1, 1.0, true, c1, u),
                new ChainStep(2, 0, 3, 1.0, c2, -2.0, false, c1, u),
                new ChainStep(3, 2, 3, 1.0, c3, 1.0, true, c3, u)), 0, 1);
        ChainDiagnostics d = ChainDiagnostics.of(chain);
        assertThat(d.steps()).isEqualTo(3);
        assertThat(d.acceptanceRate()).isCloseTo(2.0 / 3, Offset.offset(1e-12));
        assertThat(d.meanIndex()).isCloseTo(1.0, Offset.offset(1e-12));
        assertThat(d.meanRelativeIndex()).isCloseTo((0.25 + 0 + 2.0 / 3) / 3, Offset.offset(1e-12));
        assertThat(d.meanGeneratedTokens()).isCloseTo((2 + 6 + 2) / 3.0, Offset.offset(1e-12));
        assertThat(d.meanStateLength()).isCloseTo((4 + 3 + 3 + 4) / 4.0, Offset.offset(1e-12));
        assertThat(d.rewardEss()).isEqualTo(EffectiveSampleSize.geyer(new double[] {0, 1, 1, 2}));
    }

    @Test
    void suffixProposalResamplesAroundTheMiddle() {
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(2).eosBias(-2).build();
        QAlignResult r = QAlignSampler.builder().languageModel(lm).rewardModel(ToyRewardModel.seeded(1, 1.0))
                .beta(1.0).steps(4000).sampling(SamplingConfig.defaults().withMaxCompletionTokens(20))
                .build().run(lm.prompt("x"), new SplittableRandom(3));
        ChainDiagnostics d = ChainDiagnostics.of(r.prompt(0).chains().get(0));
        // E[i/|y|] = E[(|y|-1)/(2|y|)], close to 0.5 for long sequences
        double expected = 0;
        ChainResult c = r.prompt(0).chains().get(0);
        for (ChainStep st : c.steps()) {
            expected += (st.currentLength() - 1) / (2.0 * st.currentLength());
        }
        expected /= c.steps().size();
        assertThat(d.meanRelativeIndex()).isCloseTo(expected, Offset.offset(0.02));
        assertThat(d.meanRelativeIndex()).isBetween(0.35, 0.5);
        assertThat(d.rewardEss()).isBetween(10.0, 4001.0);
        QAlignResult ind = QAlignSampler.builder().languageModel(lm).rewardModel(ToyRewardModel.seeded(1, 1.0))
                .beta(1.0).steps(50).proposal(Proposal.INDEPENDENCE)
                .sampling(SamplingConfig.defaults().withMaxCompletionTokens(20)).build()
                .run(lm.prompt("x"), new SplittableRandom(3));
        assertThat(ChainDiagnostics.of(ind).get(0).meanRelativeIndex()).isZero();
    }

    @Test
    void promptDiagnosticsReportSplitRhatBesideTheChainsEss() {
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(2).eosBias(-2).build();
        QAlignSampler.Builder b = QAlignSampler.builder().languageModel(lm).rewardModel(ToyRewardModel.seeded(1, 1.0))
                .beta(1.0).chainsPerPrompt(4).sampling(SamplingConfig.defaults().withMaxCompletionTokens(20));
        QAlignResult r = b.steps(200).build().run(lm.prompt("x"), new SplittableRandom(5));
        PromptDiagnostics d = PromptDiagnostics.of(r.prompt(0));
        assertThat(d.chains()).hasSize(4);
        double[][] traces = r.prompt(0).chains().stream().map(ChainResult::rewardTrace).toArray(double[][]::new);
        assertThat(d.rewardRhat()).hasValue(SplitRhat.rankNormalized(traces));
        assertThat(d.rewardRhat().getAsDouble()).isBetween(0.95, 1.2);
        assertThat(d.rewardEss()).isCloseTo(d.chains().stream().mapToDouble(ChainDiagnostics::rewardEss).sum(),
                Offset.offset(1e-9));
        assertThat(PromptDiagnostics.of(r)).containsExactly(d);
        // 3 states per chain: too short for R-hat
        QAlignResult tiny = b.steps(2).build().run(lm.prompt("x"), new SplittableRandom(5));
        assertThat(PromptDiagnostics.of(tiny.prompt(0)).rewardRhat()).isEmpty();
    }
}
