package io.github.qalign.remote;

import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.remote.testing.ModelServer;
import io.github.qalign.sampler.ChainResult;
import io.github.qalign.sampler.QAlignListener;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import io.github.qalign.tokenizer.ChatCodec;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The QAlign chain through the remote classes and real HTTP (a {@link ModelServer} on loopback serving the toy models
 * in vLLM's shapes) equals the in-process chain with the same seed — one server, and a fleet of three with one killed
 * mid-run.
 */
class EndToEndTest {

    private static final ToyLanguageModel TOY = ToyLanguageModel.builder().symbols(4).seed(11).eosBias(-0.5).build();
    private static final ToyRewardModel REWARD = ToyRewardModel.seeded(5, 1.0);
    private static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(12);

    /** The toy's tokenization as a codec (prompt = its code points; decode = letters). */
    static final class ToyCodec implements ChatCodec {
        @Override
        public int[] encodePrompt(List<io.github.qalign.model.ChatMessage> messages) {
            return TOY.prompt(messages).ids().toArray();
        }

        @Override
        public int[] encodeExchange(List<io.github.qalign.model.ChatMessage> messages, String completion) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            return TOY.decode(TokenIds.of(ids));
        }
    }

    private static List<Prompt> prompts() {
        return List.of(TOY.prompt("ab"), TOY.prompt("cab"));
    }

    private static QAlignResult run(io.github.qalign.model.LanguageModel lm, io.github.qalign.model.RewardModel rm,
                                    QAlignListener listener) {
        QAlignSampler.Builder b = QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.7).steps(12)
                .chainsPerPrompt(3).sampling(CFG);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().run(prompts(), new SplittableRandom(2024));
    }

    private static void assertSameChains(QAlignResult remote, QAlignResult local) {
        for (int p = 0; p < local.prompts().size(); p++) {
            List<ChainResult> a = remote.prompt(p).chains();
            List<ChainResult> b = local.prompt(p).chains();
            for (int c = 0; c < b.size(); c++) {
                assertThat(a.get(c).initial()).isEqualTo(b.get(c).initial());
                assertThat(a.get(c).states()).as("prompt %d chain %d", p, c).isEqualTo(b.get(c).states());
                for (int t = 0; t < b.get(c).steps().size(); t++) {
                    assertThat(a.get(c).steps().get(t).candidate()).isEqualTo(b.get(c).steps().get(t).candidate());
                    assertThat(a.get(c).steps().get(t).logAlpha()).isEqualTo(b.get(c).steps().get(t).logAlpha());
                }
            }
        }
        assertThat(remote.acceptanceRate()).isEqualTo(local.acceptanceRate());
    }

    @Test
    void qalignThroughOneServerGivesTheInProcessChains() {
        QAlignResult local = run(TOY, REWARD, null);
        assertThat(local.acceptanceRate()).isBetween(0.05, 0.95);
        try (ModelServer server = ModelServer.builder().languageModel(TOY).rewardModel(REWARD).prompts(prompts())
                .start();
             RemoteLanguageModel lm = RemoteLanguageModel.builder().endpoint(server.baseUrl().toString())
                     .codec(new ToyCodec()).eosTokenIds(TOY.eosId()).build();
             RemoteRewardModel rm = RemoteRewardModel.builder().endpoint(server.baseUrl().toString()).policyIds()
                     .build()) {
            QAlignResult remote = run(lm, rm, null);
            assertSameChains(remote, local);
            // 6 initial samples + 6 chains x 12 steps, one HTTP request each; one /classify per batch
            assertThat(server.completions()).isEqualTo(6 + 6 * 12);
            assertThat(server.classifications()).isEqualTo(13);
        }
    }

    @Test
    void aFleetOfThreeWithOneKilledMidRunCompletesOnTheOtherTwoWithTheSameChains() {
        QAlignResult local = run(TOY, REWARD, null);
        List<ModelServer> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(ModelServer.builder().languageModel(TOY).rewardModel(REWARD).prompts(prompts()).start());
        }
        List<URI> urls = servers.stream().map(ModelServer::baseUrl).toList();
        TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper();
        RemoteOptions options = TestSupport.fastOptions(sleeper, 4);
        try (RemoteLanguageModel lm = RemoteLanguageModel.builder().endpoints(urls).codec(new ToyCodec())
                .eosTokenIds(TOY.eosId()).options(options).build();
             RemoteRewardModel rm = RemoteRewardModel.builder().endpoints(urls).policyIds().batchSize(2)
                     .options(options).build()) {
            URI home = lm.fleet().preferred(RemoteLanguageModel.affinity(prompts().get(0).ids())).base();
            int v = urls.indexOf(home);
            ModelServer victim = servers.get(v);
            long[] before = new long[1];
            QAlignListener killer = new QAlignListener() {
                @Override
                public void onStep(StepEvent e) {
                    if (e.step() == 4) {
                        before[0] = victim.completions();
                        victim.close();
                    }
                }
            };
            QAlignResult remote = run(lm, rm, killer);
            assertSameChains(remote, local);
            assertThat(before[0]).as("the victim served requests before it died").isPositive();
            assertThat(victim.completions()).isEqualTo(before[0]);
            assertThat(servers.stream().mapToLong(ModelServer::completions).sum()).isEqualTo(6 + 6 * 12);
            assertThat(lm.fleet().status().get(v).healthy()).isFalse();
            assertThat(lm.fleet().status().get(v).failures()).isPositive();
            assertThat(lm.fleet().status().get((v + 1) % 3).healthy()).isTrue();
        } finally {
            servers.forEach(ModelServer::close);
        }
    }
}
