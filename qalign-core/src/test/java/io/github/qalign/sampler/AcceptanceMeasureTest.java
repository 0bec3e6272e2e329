package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Acceptance counted two ways: the MH decision (accepted) and a change of state (moved). */
class AcceptanceMeasureTest {

    static ScoredSample s(int... ids) {
        return new ScoredSample(TokenIds.of(ids), "", ids.length, FinishReason.EOS);
    }

    @Test
    void anAcceptedIdenticalCandidateIsAcceptedButDoesNotMove() {
        ScoredSample y0 = s(1, 2, 0);
        ScoredSample same = s(1, 2, 0); // an equal completion, regenerated
        ScoredSample other = s(1, 0);
        List<ChainStep> steps = List.of(
                new ChainStep(1, 2, 3, 3, same, 0.0, true, same, ComputeUsage.ZERO),     // accepted, not moved
                new ChainStep(2, 1, 3, 3, other, -0.2, true, other, ComputeUsage.ZERO),  // accepted, moved
                new ChainStep(3, 0, 2, 2, y0, 0.4, false, other, ComputeUsage.ZERO),     // rejected
                new ChainStep(4, 1, 2, 2, y0, 0.4, true, y0, ComputeUsage.ZERO));        // accepted, moved
        ChainResult c = new ChainResult(0, 0, y0, ComputeUsage.ZERO, steps, 0, 1);
        assertThat(c.acceptedCount()).isEqualTo(3);
        assertThat(c.movedCount()).isEqualTo(2);
        assertThat(c.count(AcceptanceMeasure.ACCEPTED)).isEqualTo(3);
        assertThat(c.count(AcceptanceMeasure.MOVED)).isEqualTo(2);
        QAlignResult r = new QAlignResult(List.of(new PromptResult(0,
                ToyLanguageModel.builder().build().prompt("x"), List.of(c))), 1.0, 4, Proposal.SUFFIX,
                ComputeUsage.ZERO);
        assertThat(r.acceptanceRate()).isEqualTo(0.75);
        assertThat(r.moveRate()).isEqualTo(0.5);
    }

    @Test
    void onShortCompletionsMovedIsBelowAcceptedAndBothMatchARecount() {
        // Cap 3 and a strong EOS: many candidates equal the current state (log alpha = 0: always accepted).
        ToyLanguageModel lm = ToyLanguageModel.builder().symbols(2).seed(3).eosBias(1.0).build();
        ToyRewardModel rm = ToyRewardModel.seeded(5, 1.0);
        List<int[]> perStep = new ArrayList<>();
        QAlignResult r = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.5).steps(200)
                .chainsPerPrompt(8).sampling(SamplingConfig.defaults().withMaxCompletionTokens(3))
                .listener(new QAlignListener() {
                    @Override
                    public void onStep(StepEvent e) {
                        perStep.add(new int[] {e.accepted(), e.moved()});
                    }
                }).build().run(List.of(lm.prompt("a"), lm.prompt("b")), 7L);
        long accepted = 0;
        long moved = 0;
        long identicalCandidates = 0;
        for (PromptResult p : r.prompts()) {
            for (ChainResult c : p.chains()) {
                List<ScoredSample> states = c.states();
                for (int t = 1; t < states.size(); t++) {
                    ChainStep st = c.steps().get(t - 1);
                    accepted += st.accepted() ? 1 : 0;
                    moved += states.get(t).completion().equals(states.get(t - 1).completion()) ? 0 : 1;
                    if (st.candidate().completion().equals(states.get(t - 1).completion())) {
                        identicalCandidates++;
                        assertThat(st.logAlpha()).isZero();
                        assertThat(st.accepted()).isTrue();
                    }
                }
            }
        }
        long total = 2L * 8 * 200;
        assertThat(r.acceptanceRate()).isEqualTo((double) accepted / total);
        assertThat(r.moveRate()).isEqualTo((double) moved / total);
        // the gap is exactly the accepted identical candidates
        assertThat(accepted - moved).isEqualTo(identicalCandidates);
        assertThat(identicalCandidates).isGreaterThan(total / 10);
        assertThat(perStep.stream().mapToLong(a -> a[0]).sum()).isEqualTo(accepted);
        assertThat(perStep.stream().mapToLong(a -> a[1]).sum()).isEqualTo(moved);
        System.out.printf("short completions: accepted %.3f moved %.3f%n", r.acceptanceRate(), r.moveRate());
    }
}
