package io.github.qalign.examples.remote;

import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.models.ExampleModels;
import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.remote.RemoteLanguageModel;
import io.github.qalign.remote.RemoteRewardModel;
import io.github.qalign.remote.testing.ModelServer;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QAlign on the embedded stories260K policy and reward model: through HTTP (a {@link ModelServer} on loopback
 * wrapping DJL models, vLLM's request and response shapes, local tokenization from the checkpoint's own
 * tokenizer.json) the chains equal the in-process chains with the same seed.
 */
class RemoteStories260kTest {

    private static final int CAP = 24;
    private static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(CAP);

    private static QAlignResult run(LanguageModel lm, RewardModel rm, List<Prompt> prompts) {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(ExampleModels.DEFAULT_BETA).steps(6)
                .chainsPerPrompt(2).sampling(CFG).build().run(prompts, new SplittableRandom(99));
    }

    @Test
    void chainsThroughTheServerEqualTheInProcessChains() {
        Path policy = Checkpoints.embeddedPolicy();
        Path reward = ExampleModels.storiesRewardModel();
        try (LlamaLanguageModel lm = Checkpoints.openPolicy(policy, "cpu", CAP);
             LlamaRewardModel rm = Checkpoints.openReward(reward, policy, "cpu", CAP);
             LlamaLanguageModel served = Checkpoints.openPolicy(policy, "cpu", CAP);
             LlamaRewardModel servedRm = Checkpoints.openReward(reward, policy, "cpu", CAP)) {
            List<Prompt> prompts = List.of(lm.prompt("Once upon a time, there was a little dog named Max."),
                    lm.prompt("Lily wanted to play in the park."));
            QAlignResult local = run(lm, rm, prompts);
            try (ModelServer server = ModelServer.builder().languageModel(served).rewardModel(servedRm)
                    .modelName("stories260K").start();
                 RemoteLanguageModel rlm = RemoteLanguageModel.builder().endpoint(server.baseUrl().toString())
                         .model("stories260K").tokenizer(policy).build();
                 RemoteRewardModel rrm = RemoteRewardModel.builder().endpoint(server.baseUrl().toString())
                         .policyIds().build()) {
                // local tokenization from the checkpoint's tokenizer.json gives the in-process prompt ids
                List<Prompt> remotePrompts = prompts.stream().map(p -> rlm.prompt(p.text())).toList();
                assertThat(remotePrompts).isEqualTo(prompts);
                // the EOS set the in-process runtime stops on (config.json and generation_config.json)
                assertThat(rlm.eosTokenIds()).containsExactly(lm.model().config().eosTokenIds());
                QAlignResult remote = run(rlm, rrm, remotePrompts);
                for (int p = 0; p < prompts.size(); p++) {
                    for (int c = 0; c < 2; c++) {
                        ChainResult a = remote.prompt(p).chains().get(c);
                        ChainResult b = local.prompt(p).chains().get(c);
                        assertThat(a.states()).as("prompt %d chain %d", p, c).isEqualTo(b.states());
                    }
                }
                assertThat(remote.acceptanceRate()).isEqualTo(local.acceptanceRate());
                assertThat(server.completions()).isEqualTo(4 + 4 * 6);
            }
        }
    }
}
