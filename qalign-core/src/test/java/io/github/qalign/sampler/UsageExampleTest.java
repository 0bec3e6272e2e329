package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README usage example, compiled and run against the toy models (majority vote stubbed by text). */
class UsageExampleTest {

    @Test
    void readmeExample() {
        LanguageModel lm = ToyLanguageModel.builder().build();
        RewardModel rm = ToyRewardModel.seeded(1, 1.0);
        List<String> questions = List.of("What is 2+3?", "Name a prime.");

        QAlignSampler sampler = QAlignSampler.builder()
                .languageModel(lm)
                .rewardModel(rm)
                .beta(1.0)                      // or BetaTuner: ~50% acceptance on calibration prompts
                .steps(64)                      // T; each chain yields T + 1 states
                .chainsPerPrompt(4)
                .sampling(SamplingConfig.defaults().withMaxCompletionTokens(8))
                .build();
        List<Prompt> prompts = questions.stream().map(lm::prompt).toList();
        QAlignResult result = sampler.run(prompts, new SplittableRandom(42));
        for (PromptResult pr : result.prompts()) {
            List<ScoredSample> samples = pr.samples();        // all chains, repeated states included
            List<ScoredSample> budget16 = pr.samples(16);     // the same run stopped after 16 steps
            String answer = majority(samples);                // MajorityVote.select(samples, extractor)
            assertThat(samples).hasSize(4 * 65);
            assertThat(budget16).hasSize(4 * 17);
            assertThat(answer).isNotNull();
        }
        assertThat(result.acceptanceRate()).isBetween(0.0, 1.0);
        assertThat(result.usage().lm().generatedTokens()).isPositive();
    }

    static String majority(List<ScoredSample> samples) {
        Map<String, Long> votes = samples.stream().collect(Collectors.groupingBy(ScoredSample::text,
                Collectors.counting()));
        return votes.entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder())).map(Map.Entry::getKey)
                .orElseThrow();
    }

}
