package io.github.qalign.djl;

import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's chat-API example, compiled and run on the embedded policy and reward model (EmbeddedModels) instead
 * of 8B checkpoints, with a shorter chain.
 */
class ReadmeChatExampleTest {

    @Test
    void readmeChatExampleRuns() {
        LlamaOptions opts = LlamaOptions.builder().maxBatchSize(8).build();
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), opts);
             LlamaRewardModel rm = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), opts, false)) {
            Prompt prompt = lm.prompt(List.of(
                    ChatMessage.system("Tell a happy story."),
                    ChatMessage.user("Once upon a time, there was a little dog.")));
            QAlignResult result = QAlignSampler.builder().languageModel(lm).rewardModel(rm)
                    .beta(EmbeddedModels.STORIES260K_REWARD_BETA).steps(4).chainsPerPrompt(2)
                    .sampling(SamplingConfig.defaults().withMaxCompletionTokens(32))
                    .build().run(prompt, new SplittableRandom(42));
            assertThat(result.prompts()).hasSize(1);
            assertThat(result.prompt(0).prompt().messages()).hasSize(2);
            assertThat(result.prompt(0).samples()).hasSize(2 * 5);
        }
    }
}
