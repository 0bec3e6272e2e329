package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.ModelException;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QAlignSamplerTest {

    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(6);

    ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(3).parameterCount(1000).build();
    ToyRewardModel rm = ToyRewardModel.seeded(5, 1.0).withParameterCount(500);
    List<Prompt> prompts = List.of(lm.prompt("a"), lm.prompt("bb"), lm.prompt("ccc"));

    QAlignSampler.Builder builder() {
        return QAlignSampler.builder().languageModel(lm).rewardModel(rm).beta(0.7).steps(10).chainsPerPrompt(4)
                .sampling(CFG);
    }

    @Test
    void oneLanguageModelCallAndOneRewardModelCallPerStep() {
        ToyRewardModel counting = ToyRewardModel.seeded(5, 1.0);
        QAlignResult r = builder().rewardModel(counting).steps(25).build().run(prompts, new SplittableRandom(1));
        assertThat(lm.generateCalls()).isEqualTo(26); // y0 batch + 25 steps
        assertThat(counting.scoreCalls()).isEqualTo(26);
        assertThat(lm.generateRequests()).isEqualTo(26L * 3 * 4);
        assertThat(counting.scoreRequests()).isEqualTo(26L * 3 * 4);
        assertThat(r.prompts()).hasSize(3);
        r.prompts().forEach(p -> assertThat(p.chains()).hasSize(4));
    }

    @Test
    void stepsFollowTheChainRules() {
        QAlignResult r = builder().steps(200).build().run(prompts, new SplittableRandom(2));
        for (PromptResult p : r.prompts()) {
            for (ChainResult c : p.chains()) {
                assertThat(c.steps()).hasSize(200);
                ScoredSample prev = c.initial();
                assertThat(prev.reward()).isEqualTo(rm.reward(p.prompt(), prev.completion()));
                for (ChainStep s : c.steps()) {
                    TokenIds y = prev.completion();
                    assertThat(s.currentLength()).isEqualTo(y.length());
                    assertThat(s.currentReward()).isEqualTo(prev.reward());
                    assertThat(s.index()).isBetween(0, y.length() - 1);
                    TokenIds cand = s.candidate().completion();
                    assertThat(cand.startsWith(y.prefix(s.index()))).isTrue();
                    assertThat(cand.length()).isBetween(s.index() + 1, CFG.maxCompletionTokens());
                    assertThat(s.candidate().reward()).isEqualTo(rm.reward(p.prompt(), cand));
                    double expected = (s.candidate().reward() - prev.reward()) / 0.7 + Math.log(y.length())
                            - Math.log(cand.length());
                    assertThat(s.logAlpha()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
                    assertThat(s.state()).isEqualTo(s.accepted() ? s.candidate() : prev);
                    boolean endsEos = cand.last() == lm.eosId();
                    assertThat(s.candidate().finishReason()).isEqualTo(endsEos ? FinishReason.EOS : FinishReason.LENGTH);
                    assertThat(s.generatedTokens()).isEqualTo(cand.length() - s.index());
                    prev = s.state();
                }
                assertThat(c.states()).hasSize(201);
                assertThat(c.samples()).isEqualTo(c.states());
                assertThat(c.last()).isEqualTo(prev);
            }
        }
        assertThat(r.acceptanceRate()).isBetween(0.05, 0.95);
    }

    @Test
    void independenceProposalAlwaysResamplesFromScratchWithoutLengthRatio() {
        QAlignResult r = builder().proposal(Proposal.INDEPENDENCE).steps(50).build().run(prompts,
                new SplittableRandom(3));
        for (PromptResult p : r.prompts()) {
            for (ChainResult c : p.chains()) {
                for (ChainStep s : c.steps()) {
                    assertThat(s.index()).isZero();
                    assertThat(s.logAlpha()).isEqualTo((s.candidate().reward() - s.currentReward()) / 0.7);
                }
            }
        }
    }

    @Test
    void rngDrawOrderIsAsDocumented() {
        // Replays the documented per-chain order with each chain's own stream RandomStreams.stream(seed, key, k):
        // the initial request seed; per step nextInt(|y|), the request seed, nextDouble. Chains are replayed one at a
        // time (not in lockstep), which must not matter.
        QAlignSampler sampler = builder().steps(30).build();
        QAlignResult r = sampler.run(prompts, 11L);
        ToyLanguageModel twin = ToyLanguageModel.builder().symbols(3).seed(3).build();
        for (int p = prompts.size() - 1; p >= 0; p--) {
            long key = RandomStreams.keyOf(prompts.get(p));
            for (int k = 0; k < 4; k++) {
                SplittableRandom rng = RandomStreams.stream(11L, key, k);
                ChainResult chain = r.prompt(p).chains().get(k);
                TokenIds state = twin.generate(List.of(io.github.qalign.model.GenerationRequest.fresh(prompts.get(p),
                        rng.nextLong())), CFG).get(0).completion();
                assertThat(chain.initial().completion()).isEqualTo(state);
                for (int t = 0; t < 30; t++) {
                    int idx = rng.nextInt(state.length());
                    Generation g = twin.generate(List.of(new io.github.qalign.model.GenerationRequest(prompts.get(p),
                            state.prefix(idx), rng.nextLong())), CFG).get(0);
                    ChainStep s = chain.steps().get(t);
                    assertThat(s.index()).isEqualTo(idx);
                    assertThat(s.candidate().completion()).isEqualTo(g.completion());
                    double u = rng.nextDouble();
                    assertThat(s.accepted()).isEqualTo(Math.log(u) < s.logAlpha());
                    if (s.accepted()) {
                        state = g.completion();
                    }
                }
            }
        }
    }

    @Test
    void sameSeedSameResultDifferentSeedDifferentResult() {
        QAlignSampler s = builder().steps(40).build();
        QAlignResult a = s.run(prompts, new SplittableRandom(42));
        QAlignResult b = s.run(prompts, new SplittableRandom(42));
        QAlignResult c = s.run(prompts, new SplittableRandom(43));
        assertThat(a).isEqualTo(b);
        assertThat(c).isNotEqualTo(a);
        assertThat(c.prompt(0).chains().get(0).states()).isNotEqualTo(a.prompt(0).chains().get(0).states());
    }

    @Test
    void burnInThinningAndBudgets() {
        QAlignResult r = builder().steps(20).burnIn(5).thin(3).build().run(prompts, new SplittableRandom(4));
        ChainResult c = r.prompt(1).chains().get(2);
        List<ScoredSample> states = c.states();
        assertThat(c.samples()).containsExactly(states.get(5), states.get(8), states.get(11), states.get(14),
                states.get(17), states.get(20));
        assertThat(c.samples(12)).containsExactly(states.get(5), states.get(8), states.get(11));
        assertThat(c.samples(4)).isEmpty();
        assertThat(c.states(3)).isEqualTo(states.subList(0, 4));
        assertThat(r.prompt(1).samples(12)).hasSize(4 * 3);
        assertThatThrownBy(() -> c.samples(21)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k");

        // A budget-k view of a long run equals a run of k steps with the same seed (lockstep order is the same).
        QAlignResult shortRun = builder().steps(12).burnIn(5).thin(3).build().run(prompts, new SplittableRandom(4));
        for (int p = 0; p < 3; p++) {
            for (int k = 0; k < 4; k++) {
                ChainResult longC = r.prompt(p).chains().get(k);
                ChainResult shortC = shortRun.prompt(p).chains().get(k);
                assertThat(longC.samples(12)).isEqualTo(shortC.samples());
                assertThat(longC.states(12)).isEqualTo(shortC.states());
                assertThat(longC.usage(12)).isEqualTo(shortC.usage());
            }
        }
        assertThat(r.usage(12)).isEqualTo(shortRun.usage());
    }

    @Test
    void usageIsSummedFromModelReports() {
        lm.resetCounters();
        QAlignResult r = builder().steps(15).build().run(prompts, new SplittableRandom(5));
        ComputeUsage u = r.usage();
        assertThat(u.lm().generatedTokens()).isEqualTo(lm.generatedTokens());
        assertThat(u.lmParameters()).isEqualTo(1000);
        assertThat(u.rmParameters()).isEqualTo(500);
        long lmInput = 0;
        long rmInput = 0;
        long generated = 0;
        for (PromptResult p : r.prompts()) {
            int promptLen = p.prompt().ids().length();
            for (ChainResult c : p.chains()) {
                lmInput += promptLen;
                rmInput += promptLen + c.initial().completion().length();
                generated += c.initial().completion().length();
                for (ChainStep s : c.steps()) {
                    lmInput += promptLen + s.index();
                    rmInput += promptLen + s.candidate().completion().length();
                    generated += s.generatedTokens();
                }
            }
        }
        assertThat(u.lm()).isEqualTo(new TokenUsage(lmInput, 0, generated));
        assertThat(u.rm()).isEqualTo(new TokenUsage(rmInput, 0, 0));
        assertThat(u.flops()).isEqualTo(2.0 * 1000 * (lmInput + generated) + 2.0 * 500 * rmInput);
        ComputeUsage sum = ComputeUsage.ZERO;
        for (PromptResult p : r.prompts()) {
            sum = sum.plus(p.usage());
        }
        assertThat(sum).isEqualTo(u);
    }

    @Test
    void listenerSeesInitEveryStepAndCompletion() {
        List<String> events = new ArrayList<>();
        List<QAlignListener.StepEvent> steps = new ArrayList<>();
        QAlignListener l = new QAlignListener() {
            @Override
            public void onInit(InitEvent e) {
                events.add("init:" + e.states().size());
            }

            @Override
            public void onStep(StepEvent e) {
                events.add("step" + e.step());
                steps.add(e);
            }

            @Override
            public void onComplete(QAlignResult result) {
                events.add("complete");
            }
        };
        QAlignResult r = builder().steps(3).listener(l).build().run(prompts, new SplittableRandom(6));
        assertThat(events).containsExactly("init:12", "step1", "step2", "step3", "complete");
        QAlignListener.StepEvent e2 = steps.get(1);
        assertThat(e2.chainSteps()).hasSize(12);
        assertThat(e2.chainSteps().get(5)).isEqualTo(r.prompt(1).chains().get(1).steps().get(1));
        assertThat(e2.accepted()).isEqualTo((int) e2.chainSteps().stream().filter(ChainStep::accepted).count());
        // default methods are no-ops
        builder().steps(2).listener(new QAlignListener() {
        }).build().run(prompts, new SplittableRandom(6));
    }

    @Test
    void zeroStepsGivesTheInitialSamples() {
        QAlignResult r = builder().steps(0).build().run(prompts, new SplittableRandom(7));
        ChainResult c = r.prompt(0).chains().get(0);
        assertThat(c.states()).containsExactly(c.initial());
        assertThat(c.samples()).containsExactly(c.initial());
        assertThat(r.acceptanceRate()).isZero();
    }

    @Test
    void immediateEosIsALengthOneCompletion() {
        // EOS is kept as a token, so a completion that stops at once has |y| = 1, the index range is {0}
        ToyLanguageModel eosOnly = ToyLanguageModel.builder().symbols(2).eosBias(1000).build();
        QAlignResult r = QAlignSampler.builder().languageModel(eosOnly).rewardModel(rm).beta(1).steps(5)
                .sampling(CFG).build().run(eosOnly.prompt("x"), new SplittableRandom(8));
        ChainResult c = r.prompt(0).chains().get(0);
        assertThat(c.initial().completion()).isEqualTo(TokenIds.of(eosOnly.eosId()));
        assertThat(c.initial().finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(c.initial().text()).isEmpty();
        for (ChainStep s : c.steps()) {
            assertThat(s.index()).isZero();
            assertThat(s.logAlpha()).isZero();
            assertThat(s.accepted()).isTrue();
        }
    }

    @Test
    void logAlphaClampIsOffByDefaultAndClampsWhenSet() {
        QAlignSampler plain = builder().beta(0.01).build();
        assertThat(plain.logAlpha(0, 10, 3, 3)).isEqualTo(1000.0);
        QAlignSampler clamped = builder().beta(0.01).logAlphaClamp(20).build();
        assertThat(clamped.logAlpha(0, 10, 3, 3)).isEqualTo(20.0);
        assertThat(clamped.logAlpha(10, 0, 3, 3)).isEqualTo(-20.0);
        assertThat(clamped.logAlpha(0, 0.001, 2, 4)).isCloseTo(0.1 + Math.log(0.5),
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(builder().beta(1).invertedLengthRatioForTesting(true).build().logAlpha(0, 0, 2, 4))
                .isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-12));
    }

    // ---------------------------------------------------------------- bad configuration

    @Test
    void badConfigurationNamesTheParameter() {
        for (double beta : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> builder().beta(beta).build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("beta");
        }
        assertThatThrownBy(() -> QAlignSampler.builder().languageModel(lm).rewardModel(rm).build())
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> builder().steps(-1).build()).hasMessageContaining("steps");
        assertThatThrownBy(() -> builder().chainsPerPrompt(0).build()).hasMessageContaining("chainsPerPrompt");
        assertThatThrownBy(() -> builder().burnIn(-1).build()).hasMessageContaining("burnIn");
        assertThatThrownBy(() -> builder().steps(5).burnIn(6).build()).hasMessageContaining("burnIn");
        assertThatThrownBy(() -> builder().thin(0).build()).hasMessageContaining("thin");
        assertThatThrownBy(() -> builder().languageModel(null).build()).hasMessageContaining("languageModel");
        assertThatThrownBy(() -> builder().rewardModel(null).build()).hasMessageContaining("rewardModel");
        assertThatThrownBy(() -> builder().logAlphaClamp(0)).hasMessageContaining("logAlphaClamp");
        assertThatThrownBy(() -> builder().logAlphaClamp(Double.NaN)).hasMessageContaining("logAlphaClamp");
        QAlignSampler s = builder().build();
        assertThatThrownBy(() -> s.run(List.of(), new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompts");
        List<Prompt> withNull = new ArrayList<>(prompts);
        withNull.add(null);
        assertThatThrownBy(() -> s.run(withNull, new SplittableRandom(1))).hasMessageContaining("prompts[3]");
    }

    // ---------------------------------------------------------------- contract violations

    QAlignSampler faultyLm(int call, java.util.function.BiFunction<List<io.github.qalign.model.GenerationRequest>,
            List<Generation>, List<Generation>> corrupt) {
        return builder().languageModel(new FaultyLanguageModel(lm, call, corrupt)).build();
    }

    static Generation with(Generation g, TokenIds completion, int prefixLength) {
        return new Generation(completion, prefixLength, "x", g.finishReason(), g.usage());
    }

    static List<Generation> mapAt(List<Generation> gens, int j, Function<Generation, Generation> f) {
        List<Generation> out = new ArrayList<>(gens);
        out.set(j, f.apply(gens.get(j)));
        return out;
    }

    @Test
    void languageModelContractViolationsAreReported() {
        SplittableRandom rng = new SplittableRandom(1);
        assertThatThrownBy(() -> faultyLm(0, (req, g) -> List.of()).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("0 generations for 12 requests");
        assertThatThrownBy(() -> faultyLm(3, (req, g) -> g.subList(0, 11)).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("11 generations for 12 requests");
        assertThatThrownBy(() -> faultyLm(0, (req, g) -> null).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> faultyLm(0, (req, g) -> mapAt(g, 5, x -> null)).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("prompt 1 chain 1 (initial sample)");
        // completion not starting with the prefix: find a step where chain 7 has a non-empty prefix
        assertThatThrownBy(() -> faultyLm(2, (req, g) -> {
            List<Generation> out = new ArrayList<>(g);
            for (int j = 0; j < req.size(); j++) {
                if (req.get(j).prefix().length() > 0) {
                    int[] ids = g.get(j).completion().toArray();
                    ids[0] = ids[0] == 0 ? 1 : 0;
                    out.set(j, with(g.get(j), TokenIds.of(ids), g.get(j).prefixLength()));
                    return out;
                }
            }
            throw new AssertionError("no non-empty prefix in this step");
        }).run(prompts, rng)).isInstanceOf(ModelException.class).hasMessageContaining("does not start with")
                .hasMessageContaining("step 2");
        assertThatThrownBy(() -> faultyLm(1, (req, g) -> mapAt(g, 0,
                x -> with(x, x.completion(), x.prefixLength() == 0 ? 1 : x.prefixLength() - 1)))
                .run(prompts, rng)).isInstanceOf(ModelException.class).hasMessageContaining("prefixLength");
        assertThatThrownBy(() -> faultyLm(0, (req, g) -> mapAt(g, 0,
                x -> with(x, TokenIds.of(0, 0, 0, 0, 0, 0, 0), 0))).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("above the total cap");
        assertThatThrownBy(() -> faultyLm(0, (req, g) -> mapAt(g, 2, x -> with(x, TokenIds.empty(), 0)))
                .run(prompts, rng)).isInstanceOf(ModelException.class).hasMessageContaining("empty continuation")
                .hasMessageContaining("prompt 0 chain 2 (initial sample)");
        assertThatThrownBy(() -> faultyLm(4, (req, g) -> mapAt(g, 0,
                x -> with(x, x.completion().prefix(x.prefixLength()), x.prefixLength()))).run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("empty continuation")
                .hasMessageContaining("step 4");
    }

    static RewardModel rewards(Function<List<RewardRequest>, List<Reward>> f) {
        return f::apply;
    }

    @Test
    void rewardModelContractViolationsAreReported() {
        SplittableRandom rng = new SplittableRandom(1);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            RewardModel rmBad = rewards(req -> {
                List<Reward> out = new ArrayList<>(rm.score(req));
                out.set(7, Reward.of(bad));
                return out;
            });
            assertThatThrownBy(() -> builder().rewardModel(rmBad).build().run(prompts, rng))
                    .isInstanceOf(ModelException.class).hasMessageContaining("non-finite reward " + bad)
                    .hasMessageContaining("prompt 1 chain 3");
        }
        assertThatThrownBy(() -> builder().rewardModel(rewards(req -> List.of())).build().run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("0 rewards for 12 requests");
        assertThatThrownBy(() -> builder().rewardModel(rewards(req -> null)).build().run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("null");
        // a NaN only in a later step is reported with its step
        int[] calls = {0};
        RewardModel late = rewards(req -> {
            List<Reward> out = new ArrayList<>(rm.score(req));
            if (calls[0]++ == 3) {
                out.set(0, Reward.of(Double.NaN));
            }
            return out;
        });
        assertThatThrownBy(() -> builder().rewardModel(late).build().run(prompts, rng))
                .isInstanceOf(ModelException.class).hasMessageContaining("step 3");
    }
}
