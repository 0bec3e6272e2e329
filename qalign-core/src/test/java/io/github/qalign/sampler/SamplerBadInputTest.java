package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.Generation;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Bad input at the samplers' entry points: every case must end in a clear exception naming what is wrong (or, for
 * legal edge cases, in a normal result), never a hang, a JVM-level exception or a NaN.
 */
class SamplerBadInputTest {

    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(4);
    final ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(2).build();
    final ToyRewardModel rm = ToyRewardModel.seeded(3, 1.0);
    final List<Prompt> prompts = List.of(lm.prompt("x"), lm.prompt("yy"));

    QAlignSampler.Builder qalign() {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(1).steps(4).chainsPerPrompt(2)
                .sampling(CFG);
    }

    IndependentSampler.Builder independent() {
        return IndependentSampler.builder().languageModel(lm).rewardModel(rm).samplesPerPrompt(3).sampling(CFG);
    }

    static RewardModel rewards(Function<List<RewardRequest>, List<Reward>> f) {
        return f::apply;
    }

    @Test
    void nullArgumentsAreNamed() {
        QAlignSampler q = qalign().build();
        IndependentSampler s = independent().build();
        assertThatThrownBy(() -> q.run((Prompt) null, new SplittableRandom(1))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> q.run(prompts, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("rng");
        assertThatThrownBy(() -> q.run((List<Prompt>) null, new SplittableRandom(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("prompts");
        assertThatThrownBy(() -> s.run((Prompt) null, new SplittableRandom(1))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> s.run(prompts, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("rng");
        List<Prompt> withNull = new ArrayList<>(prompts);
        withNull.add(1, null);
        assertThatThrownBy(() -> s.run(withNull, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompts[1]");
        assertThatThrownBy(() -> qalign().sampling(null).build()).hasMessageContaining("sampling");
        assertThatThrownBy(() -> qalign().proposal(null).build()).hasMessageContaining("proposal");
        assertThatThrownBy(() -> qalign().listener(null).build()).hasMessageContaining("listener");
        assertThatThrownBy(() -> independent().sampling(null).build()).hasMessageContaining("sampling");
        assertThatThrownBy(() -> independent().rewardModel(null).build()).hasMessageContaining("rewardModel");
        assertThatThrownBy(() -> independent().samplesPerPrompt(0).build()).hasMessageContaining("samplesPerPrompt");
    }

    @Test
    void batchSizeOverflowIsReportedNotANegativeArraySize() {
        List<Prompt> two = Collections.nCopies(2, prompts.get(0));
        assertThatThrownBy(() -> qalign().chainsPerPrompt(Integer.MAX_VALUE).build().run(two, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chainsPerPrompt")
                .hasMessageContaining("exceeds");
        assertThatThrownBy(() -> independent().samplesPerPrompt(Integer.MAX_VALUE).build()
                .run(two, new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samplesPerPrompt")
                .hasMessageContaining("exceeds");
    }

    @Test
    void emptyPromptText() {
        // the toy model refuses to encode an empty text; a Prompt needs ids, its text may be empty
        assertThatThrownBy(() -> lm.prompt("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt text");
        assertThatThrownBy(() -> new Prompt("", TokenIds.empty())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prompt ids are empty");
        // an empty text with ids (e.g. only a chat template / BOS) is legal and samples normally
        Prompt bosOnly = new Prompt("", TokenIds.of(1));
        QAlignResult r = qalign().build().run(bosOnly, new SplittableRandom(4));
        assertThat(r.prompt(0).samples()).hasSize(2 * 5);
        assertThat(r.acceptanceRate()).isBetween(0.0, 1.0);
        IndependentResult i = independent().build().run(bosOnly, new SplittableRandom(4));
        assertThat(i.prompt(0).samples()).hasSize(3).allSatisfy(x -> assertThat(x.completion().length()).isPositive());
    }

    @Test
    void languageModelReturningAnEmptyContinuationBelowTheCapIsRejected() {
        // every request answered with its own prefix (nothing generated although prefix < cap)
        FaultyLanguageModel echo = new FaultyLanguageModel(lm, 1, (req, gens) -> {
            List<Generation> out = new ArrayList<>();
            for (int j = 0; j < req.size(); j++) {
                Generation g = gens.get(j);
                TokenIds prefix = req.get(j).prefix();
                out.add(new Generation(prefix, prefix.length(), lm.decode(prefix), g.finishReason(), g.usage()));
            }
            return out;
        });
        assertThatThrownBy(() -> qalign().languageModel(echo).build().run(prompts, new SplittableRandom(1)))
                .isInstanceOf(ModelException.class).hasMessageContaining("empty continuation")
                .hasMessageContaining("prompt 0 chain 0 (step 1)");
        FaultyLanguageModel emptyFirst = new FaultyLanguageModel(lm, 0, (req, gens) -> {
            List<Generation> out = new ArrayList<>(gens);
            Generation g = gens.get(0);
            out.set(0, new Generation(TokenIds.empty(), 0, "", g.finishReason(), g.usage()));
            return out;
        });
        assertThatThrownBy(() -> independent().languageModel(emptyFirst).build().run(prompts, new SplittableRandom(1)))
                .isInstanceOf(ModelException.class).hasMessageContaining("empty continuation")
                .hasMessageContaining("prompt 0 sample 0");
    }

    @Test
    void independentSamplerRejectsNonFiniteRewardsAndBatchMismatches() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            RewardModel rmBad = rewards(req -> {
                List<Reward> out = new ArrayList<>(rm.score(req));
                out.set(4, Reward.of(bad));
                return out;
            });
            assertThatThrownBy(() -> independent().rewardModel(rmBad).build().run(prompts, new SplittableRandom(1)))
                    .isInstanceOf(ModelException.class).hasMessageContaining("non-finite reward " + bad)
                    .hasMessageContaining("prompt 1 sample 1");
        }
        assertThatThrownBy(() -> independent().rewardModel(rewards(req -> rm.score(req).subList(0, 5))).build()
                .run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("5 rewards for 6 requests");
        // with chunking, the location names the request across chunks
        RewardModel nullSecondChunk = rewards(req -> {
            List<Reward> out = new ArrayList<>(rm.score(req));
            if (req.get(0).prompt().equals(prompts.get(1))) {
                out.set(1, null);
            }
            return out;
        });
        assertThatThrownBy(() -> independent().rewardModel(nullSecondChunk).maxBatchSize(3).build()
                .run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("null reward").hasMessageContaining("prompt 1 sample 1");
        assertThatThrownBy(() -> independent().languageModel(new FaultyLanguageModel(lm, 0, (req, g) -> null))
                .build().run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("returned null");
        assertThatThrownBy(() -> independent().languageModel(new FaultyLanguageModel(lm, 0,
                (req, g) -> { List<Generation> more = new ArrayList<>(g); more.add(g.get(0)); return more; }))
                .build().run(prompts, new SplittableRandom(1))).isInstanceOf(ModelException.class)
                .hasMessageContaining("7 generations for 6 requests");
    }

    @Test
    void extremeFiniteRewardsAndTinyBetaNeverGiveANaNAcceptanceRatio() {
        // r' - r overflows to +-infinity and (r' - r) / beta is +-infinity: log alpha must stay ordered, not NaN
        RewardModel extreme = ToyRewardModel.of(y -> y.length() % 2 == 0 ? Double.MAX_VALUE : -Double.MAX_VALUE);
        for (double beta : new double[] {Double.MIN_VALUE, 1.0, Double.MAX_VALUE}) {
            QAlignResult r = qalign().rewardModel(extreme).beta(beta).steps(30).build().run(prompts,
                    new SplittableRandom(3));
            for (PromptResult p : r.prompts()) {
                for (ChainResult c : p.chains()) {
                    for (ChainStep s : c.steps()) {
                        assertThat(s.logAlpha()).isNotNaN();
                        boolean up = s.candidate().reward() > s.currentReward();
                        boolean down = s.candidate().reward() < s.currentReward();
                        if (beta == Double.MIN_VALUE && up) {
                            assertThat(s.logAlpha()).isEqualTo(Double.POSITIVE_INFINITY);
                            assertThat(s.accepted()).isTrue();
                        }
                        if (beta < Double.MAX_VALUE && down) {
                            assertThat(s.logAlpha()).isEqualTo(Double.NEGATIVE_INFINITY);
                            assertThat(s.accepted()).isFalse();
                        }
                    }
                }
            }
            assertThat(r.acceptanceRate()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void hugeBatchLimitDoesNotOverflowTheChunkLoop() {
        IndependentResult a = independent().maxBatchSize(Integer.MAX_VALUE).build().run(prompts,
                new SplittableRandom(9));
        IndependentResult b = independent().maxBatchSize(Integer.MAX_VALUE - 1).build().run(prompts,
                new SplittableRandom(9));
        IndependentResult c = independent().maxBatchSize(1).build().run(prompts, new SplittableRandom(9));
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);
        assertThat(independent().build().samplesPerPrompt()).isEqualTo(3);
        assertThat(independent().build().sampling()).isEqualTo(CFG);
    }
}
