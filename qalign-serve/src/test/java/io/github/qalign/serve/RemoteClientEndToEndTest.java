package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.remote.RemoteLanguageModel;
import io.github.qalign.remote.RemoteRewardModel;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * qalign-remote (the vLLM client: token-id completions with per-request seeds, /classify with use_activation false)
 * drives a QAlign run against this server; the chains equal the in-process chains with the same seed, and the
 * server batched the concurrent requests of each step.
 */
class RemoteClientEndToEndTest {

    private static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(24);

    private static QAlignResult run(io.github.qalign.model.LanguageModel lm, io.github.qalign.model.RewardModel rm,
                                    List<Prompt> prompts) {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.5).steps(6).chainsPerPrompt(2)
                .sampling(CFG).build().run(prompts, new SplittableRandom(99));
    }

    @Test
    void qalignThroughQalignRemoteEqualsTheInProcessChains() throws Exception {
        try (StoriesModels models = new StoriesModels();
             QalignServer server = QalignServer.start(models.serving.policy(), models.serving.reward(),
                     ServerConfig.builder().port(0).build());
             RemoteLanguageModel rlm = RemoteLanguageModel.builder().endpoint(server.baseUri().toString())
                     .model("stories260k").tokenizer(EmbeddedModels.stories260k()).build();
             RemoteRewardModel rrm = RemoteRewardModel.builder().endpoint(server.baseUri().toString())
                     .model("stories260k-rm").policyIds().build()) {
            List<Prompt> prompts = List.of(models.lm.prompt("Once upon a time, there was a little dog named Max."),
                    models.lm.prompt("Lily wanted to play in the park."));
            QAlignResult local = run(models.lm, models.rm, prompts);
            List<Prompt> remotePrompts = prompts.stream().map(p -> rlm.prompt(p.text())).toList();
            assertThat(remotePrompts).isEqualTo(prompts);
            QAlignResult remote = run(rlm, rrm, remotePrompts);
            for (int p = 0; p < prompts.size(); p++) {
                for (int c = 0; c < 2; c++) {
                    ChainResult a = remote.prompt(p).chains().get(c);
                    ChainResult b = local.prompt(p).chains().get(c);
                    // the same token ids in every state; rewards equal up to float rounding (the server scores the
                    // ids with another KV-reuse split than the in-process call)
                    assertThat(a.states().stream().map(s -> s.completion()).toList()).as("prompt %d chain %d", p, c)
                            .isEqualTo(b.states().stream().map(s -> s.completion()).toList());
                    for (int k = 0; k < a.states().size(); k++) {
                        assertThat(a.states().get(k).reward()).isCloseTo(b.states().get(k).reward(),
                                org.assertj.core.api.Assertions.within(1e-4));
                        assertThat(a.states().get(k).text()).isEqualTo(b.states().get(k).text());
                    }
                }
            }
            assertThat(remote.acceptanceRate()).isEqualTo(local.acceptanceRate());
            // 4 chains x (1 initial + 6 steps) completions and as many reward scores went over HTTP
            assertThat(server.policyBatches().rows()).isEqualTo(4 * 7);
            assertThat(server.classifyBatches().rows()).isEqualTo(4 * 7);
        }
    }
}
