package io.github.qalign.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ToyLanguageModelTest {

    ToyLanguageModel lm = ToyLanguageModel.builder().symbols(3).seed(7).build();
    Prompt prompt = lm.prompt("hello");
    SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(4);

    @Test
    void distributionIsNormalizedAndRespectsTheCap() {
        Map<TokenIds, Double> d = lm.distribution(prompt, cfg);
        assertThat(d).hasSize(1 + 3 + 9 + 27 + 81); // EOS-terminated lengths 1..4 plus 81 capped sequences
        assertThat(d.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, Offset.offset(1e-12));
        for (TokenIds y : d.keySet()) {
            assertThat(y.length()).isBetween(1, 4);
            boolean eos = y.last() == lm.eosId();
            assertThat(eos || y.length() == 4).isTrue();
            for (int i = 0; i < y.length() - 1; i++) {
                assertThat(y.get(i)).isNotEqualTo(lm.eosId());
            }
        }
    }

    @Test
    void prefixContinuationIsTheConditionalOfTheFullDistribution() {
        Map<TokenIds, Double> full = lm.distribution(prompt, cfg);
        TokenIds prefix = TokenIds.of(1, 0);
        double pPrefix = 0;
        for (Map.Entry<TokenIds, Double> e : full.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                pPrefix += e.getValue();
            }
        }
        Map<TokenIds, Double> cond = lm.distribution(prompt, prefix, cfg);
        assertThat(cond).hasSize(1 + 3 + 9);
        for (Map.Entry<TokenIds, Double> e : cond.entrySet()) {
            assertThat(e.getValue()).isCloseTo(full.get(e.getKey()) / pPrefix, Offset.offset(1e-12));
        }
    }

    /** Sampled completions follow the enumerated distribution (Pearson chi-square on iid draws, pooled bins). */
    @Test
    void samplingMatchesEnumeration() {
        for (TokenIds prefix : List.of(TokenIds.empty(), TokenIds.of(2))) {
            Map<TokenIds, Double> exact = lm.distribution(prompt, prefix, cfg.withTemperature(0.7));
            int n = 40_000;
            List<GenerationRequest> req = new ArrayList<>();
            SplittableRandom seeds = new SplittableRandom(5);
            for (int i = 0; i < n; i++) {
                req.add(new GenerationRequest(prompt, prefix, seeds.nextLong()));
            }
            List<Generation> gens = lm.generate(req, cfg.withTemperature(0.7));
            Map<TokenIds, Integer> counts = new HashMap<>();
            for (Generation g : gens) {
                counts.merge(g.completion(), 1, Integer::sum);
                assertThat(g.finishReason()).isEqualTo(g.completion().last() == lm.eosId() ? FinishReason.EOS
                        : FinishReason.LENGTH);
                assertThat(g.prefixLength()).isEqualTo(prefix.length());
                assertThat(g.usage().generatedTokens()).isEqualTo(g.completion().length() - prefix.length());
            }
            assertThat(exact.keySet()).containsAll(counts.keySet());
            double chi2 = 0;
            int bins = 0;
            double poolO = 0;
            double poolE = 0;
            for (Map.Entry<TokenIds, Double> e : exact.entrySet()) {
                double ex = e.getValue() * n;
                double o = counts.getOrDefault(e.getKey(), 0);
                if (ex >= 5) {
                    chi2 += (o - ex) * (o - ex) / ex;
                    bins++;
                } else {
                    poolO += o;
                    poolE += ex;
                }
            }
            if (poolE > 0) {
                chi2 += (poolO - poolE) * (poolO - poolE) / poolE;
                bins++;
            }
            double p = 1 - new ChiSquaredDistribution(null, bins - 1).cumulativeProbability(chi2);
            assertThat(p).as("chi2=%f bins=%d", chi2, bins).isGreaterThan(1e-3);
        }
    }

    @Test
    void temperatureTopKAndTopPChangeTheNextTokenDistribution() {
        double[] p1 = lm.nextTokenProbabilities(prompt, TokenIds.empty(), cfg);
        double[] cold = lm.nextTokenProbabilities(prompt, TokenIds.empty(), cfg.withTemperature(0.25));
        int argmax = 0;
        for (int i = 1; i < p1.length; i++) {
            if (p1[i] > p1[argmax]) {
                argmax = i;
            }
        }
        assertThat(cold[argmax]).isGreaterThan(p1[argmax]);
        double[] top1 = lm.nextTokenProbabilities(prompt, TokenIds.empty(), cfg.withTopK(1));
        assertThat(top1[argmax]).isEqualTo(1.0);
        double[] topP = lm.nextTokenProbabilities(prompt, TokenIds.empty(), cfg.withTopP(1e-9));
        assertThat(topP[argmax]).isEqualTo(1.0);
        // distribution with top-k 2 has exactly two completions-per-step choices
        Map<TokenIds, Double> k2 = lm.distribution(prompt, cfg.withTopK(2));
        assertThat(k2.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1, Offset.offset(1e-12));
        assertThat(k2.size()).isLessThan(lm.distribution(prompt, cfg).size());
        // top-k then top-p on the renormalized top-k mass: with k = 2 and p = 0.5 only the top token survives,
        // whatever its probability under the full vocabulary (p1[argmax] < 0.5 here, so a top-p on the full
        // vocabulary mass would keep both)
        assertThat(p1[argmax]).isLessThan(0.5);
        double[] k2p = lm.nextTokenProbabilities(prompt, TokenIds.empty(), cfg.withTopK(2).withTopP(0.5));
        assertThat(k2p).containsExactly(top1, Offset.offset(0.0));
    }

    @Test
    void prefixAtTheCapYieldsAnEmptyContinuationAndCountsCalls() {
        List<Generation> g = lm.generate(List.of(new GenerationRequest(prompt, TokenIds.of(0, 1, 2, 0), 1),
                GenerationRequest.fresh(prompt, 2)), cfg);
        assertThat(g.get(0).completion()).isEqualTo(TokenIds.of(0, 1, 2, 0));
        assertThat(g.get(0).finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(lm.generateCalls()).isEqualTo(1);
        assertThat(lm.generateRequests()).isEqualTo(2);
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> lm.generate(List.of(new GenerationRequest(prompt, TokenIds.of(3), 1)), cfg)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EOS");
        assertThatThrownBy(() -> lm.generate(List.of(new GenerationRequest(prompt, TokenIds.of(0, 0, 0, 0, 0), 1)), cfg)).hasMessageContaining("exceeds maxCompletionTokens");
        assertThatThrownBy(() -> lm.prompt("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ToyLanguageModel.builder().symbols(0).build()).hasMessageContaining("symbols");
        assertThatThrownBy(() -> lm.distribution(prompt, SamplingConfig.defaults()))
                .hasMessageContaining("too large");
        assertThat(lm.decode(TokenIds.of(0, 1, 2, 3))).isEqualTo("abc");
    }

    @Test
    void exactTargetIsProportionalToPTimesExpRewardOverBeta() {
        ToyRewardModel rm = ToyRewardModel.seeded(3, 1.0);
        ExactDistribution p = ExactDistribution.languageModel(lm, prompt, cfg);
        ExactDistribution pi = ExactDistribution.target(lm, rm, prompt, cfg, 0.5);
        TokenIds a = TokenIds.of(0, 3);
        TokenIds b = TokenIds.of(1, 2, 3);
        double ratio = pi.probability(a) / pi.probability(b);
        double expected = p.probability(a) / p.probability(b)
                * Math.exp((rm.reward(prompt, a) - rm.reward(prompt, b)) / 0.5);
        assertThat(ratio).isCloseTo(expected, Offset.offset(1e-9 * expected));
        assertThat(rm.scoreCalls()).isEqualTo(1);
        // extreme rewards do not overflow (log-sum-exp)
        ExactDistribution sharp = ExactDistribution.target(p, y -> 1000.0 * y.length(), 0.001);
        assertThat(sharp.probability(y -> y.length() == 4)).isCloseTo(1.0, Offset.offset(1e-12));
        assertThat(pi.totalVariation(pi.probabilities())).isZero();
        // r / beta overflowing to infinity must not give NaN: the limit puts all mass on the best rewards, in
        // proportion to p
        ExactDistribution limit = ExactDistribution.target(p, y -> 1e10 * y.length(), 1e-300);
        double p4 = p.probability(y -> y.length() == 4);
        assertThat(limit.probability(y -> y.length() == 4)).isCloseTo(1.0, Offset.offset(1e-12));
        limit.probabilities().forEach((y, q) -> assertThat(q).isCloseTo(y.length() == 4 ? p.probability(y) / p4 : 0,
                Offset.offset(1e-12)));
        assertThatThrownBy(() -> ExactDistribution.target(p, y -> Double.NaN, 1)).hasMessageContaining("not finite");
        assertThatThrownBy(() -> ExactDistribution.target(p, y -> 0, 0)).hasMessageContaining("beta");
        // a reward model breaking the batch contract is reported, not an IndexOutOfBounds
        io.github.qalign.model.RewardModel short1 = req -> List.of(io.github.qalign.model.Reward.of(0));
        assertThatThrownBy(() -> ExactDistribution.target(lm, short1, prompt, cfg, 1))
                .isInstanceOf(io.github.qalign.model.ModelException.class).hasMessageContaining("1 rewards for");
    }
}
