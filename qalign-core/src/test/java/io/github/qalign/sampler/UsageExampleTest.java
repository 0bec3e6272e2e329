package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.answer.IdentityAnswerExtractor;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README usage example, compiled and run against the toy models. */
class UsageExampleTest {

    @Test
    void readmeExample() {
        LanguageModel lm = ToyLanguageModel.builder().build();
        RewardModel rm = ToyRewardModel.seeded(1, 1.0);
        List<String> questions = List.of("What is 2+3?", "Name a prime.");
        MajorityVote vote = new MajorityVote(new IdentityAnswerExtractor()); // or Gsm8kAnswerExtractor, ...

        QAlignSampler sampler = QAlignSampler.builder()
                .languageModel(lm)
                .rewardModel(rm)
                .beta(1.0)                      // or BetaTuner: ~50% acceptance on calibration prompts
                .steps(64)                      // T; each chain yields T + 1 states
                .chainsPerPrompt(4)
                .sampling(SamplingConfig.defaults().withMaxCompletionTokens(8))
                .build();
        List<Prompt> prompts = questions.stream().map(lm::prompt).toList();
        QAlignResult result = sampler.run(prompts, 42L); // a prompt's chains depend only on (seed, prompt)
        for (PromptResult pr : result.prompts()) {
            List<ScoredSample> samples = pr.samples();        // all chains, repeated states included
            List<ScoredSample> budget16 = pr.samples(16);     // the same run stopped after 16 steps
            VoteSelection answer = vote.select(samples);
            VoteSelection answerAt16 = vote.select(budget16);
            List<AtBudget<VoteSelection>> curve = pr.sweep(vote);   // the answer at 1, 2, 4, ..., T steps
            assertThat(curve).extracting(AtBudget::budget).containsExactly(1, 2, 4, 8, 16, 32, 64);
            assertThat(curve.get(curve.size() - 1).selection()).isEqualTo(answer);
            assertThat(samples).hasSize(4 * 65);
            assertThat(budget16).hasSize(4 * 17);
            assertThat(answer.answer()).isPresent();
            assertThat(answerAt16.answer()).isPresent();
            // the vote's winner really is the most frequent non-blank text (blank texts abstain)
            long winnerCount = samples.stream().filter(x -> x.text().strip().equals(answer.answer().get())).count();
            samples.stream().map(x -> x.text().strip()).filter(t -> !t.isEmpty()).distinct().forEach(t -> assertThat(
                    samples.stream().filter(x -> x.text().strip().equals(t)).count()).isLessThanOrEqualTo(winnerCount));
        }
        assertThat(result.acceptanceRate()).isBetween(0.0, 1.0);
        assertThat(result.usage().lm().generatedTokens()).isPositive();
    }


}
