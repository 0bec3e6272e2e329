package io.github.qalign.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.testing.ExactDistribution;
import io.github.qalign.testing.ToyLanguageModel;
import io.github.qalign.testing.ToyRewardModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chain's stationary distribution is the exact target pi ∝ p_LM exp(r/beta), checked on an enumerable toy model
 * (3 symbols + EOS, total cap 4: 121 completions of lengths 1..4) with {@link StationarityCheck} (ESS-aware TV bound
 * and chi-square; the derivation is documented there). Two prompts with different distributions run in the same
 * lockstep run, 16 chains each; every chain's states after burn-in are compared with that prompt's pi.
 */
class QAlignExactTargetTest {

    static final ToyLanguageModel LM = ToyLanguageModel.builder().symbols(3).seed(7).build();
    static final ToyRewardModel RM = ToyRewardModel.seeded(11, 1.0);
    static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(4);
    static final List<Prompt> PROMPTS = List.of(LM.prompt("p0"), LM.prompt("p1"));
    static final int CHAINS = 16;
    static final int STEPS = 6_000;
    static final int BURN_IN = 500;

    static QAlignResult run(double beta, Proposal proposal, boolean inverted, long seed) {
        return QAlignSampler.builder().languageModel(LM).rewardModel(RM).beta(beta).steps(STEPS)
                .chainsPerPrompt(CHAINS).burnIn(BURN_IN).sampling(CFG).proposal(proposal)
                .invertedLengthRatioForTesting(inverted).build().run(PROMPTS, new SplittableRandom(seed));
    }

    static List<StationarityCheck.Outcome> check(QAlignResult result, double beta) {
        List<StationarityCheck.Outcome> out = new ArrayList<>();
        for (PromptResult pr : result.prompts()) {
            ExactDistribution pi = ExactDistribution.target(LM, RM, pr.prompt(), CFG, beta);
            StationarityCheck.Outcome o = StationarityCheck.check(pi, states(pr));
            System.out.printf("beta=%s %s prompt %d: %s%n", beta, result.proposal(), pr.promptIndex(), o);
            out.add(o);
        }
        return out;
    }

    @ParameterizedTest(name = "beta={0} proposal={1}")
    @CsvSource({"100, SUFFIX", "1.0, SUFFIX", "0.3, SUFFIX", "100, INDEPENDENCE", "1.0, INDEPENDENCE",
            "0.3, INDEPENDENCE"})
    void chainStatesFollowTheExactTarget(double beta, Proposal proposal) {
        QAlignResult result = run(beta, proposal, false, 20260101L + (long) (beta * 10) + proposal.ordinal());
        for (StationarityCheck.Outcome o : check(result, beta)) {
            assertThat(o.passes()).as("%s", o).isTrue();
            assertThat(o.n()).isEqualTo(CHAINS * (STEPS + 1 - BURN_IN));
        }
    }

    @Test
    void largeBetaTargetIsTheLanguageModel() {
        for (Prompt p : PROMPTS) {
            ExactDistribution base = ExactDistribution.languageModel(LM, p, CFG);
            ExactDistribution pi = ExactDistribution.target(LM, RM, p, CFG, 100);
            assertThat(pi.totalVariation(base.probabilities())).isLessThan(0.01);
        }
    }

    @Test
    void smallBetaConcentratesOnTopRewardSequences() {
        double beta = 0.05;
        QAlignResult result = run(beta, Proposal.SUFFIX, false, 99);
        for (PromptResult pr : result.prompts()) {
            ExactDistribution base = ExactDistribution.languageModel(LM, pr.prompt(), CFG);
            ExactDistribution pi = ExactDistribution.target(LM, RM, pr.prompt(), CFG, beta);
            List<TokenIds> byReward = new ArrayList<>(base.probabilities().keySet());
            byReward.sort(Comparator.comparingDouble((TokenIds y) -> -RM.reward(pr.prompt(), y)));
            List<TokenIds> top3 = byReward.subList(0, 3);
            double piTop = pi.probability(top3::contains);
            double pTop = base.probability(top3::contains);
            assertThat(piTop).as("exact pi mass on the 3 best sequences").isGreaterThan(0.95);
            assertThat(pTop).as("base LM mass on them").isLessThan(0.2);
            long hits = 0;
            long n = 0;
            for (ChainResult c : pr.chains()) {
                for (ScoredSample s : c.samples()) {
                    hits += top3.contains(s.completion()) ? 1 : 0;
                    n++;
                }
            }
            assertThat((double) hits / n).as("chain mass on the 3 best sequences").isGreaterThan(0.9);
        }
    }

    /**
     * With |y'|/|y| instead of |y|/|y'| the chain is exact MH for pi(y)|y|^2 instead of pi. Same seed, same check:
     * the correct chain passes, the inverted one fails it (both the TV bound and the chi-square), and the inverted
     * one passes the check against pi(y)|y|^2, which pins the direction of the ratio.
     */
    @Test
    void invertedLengthRatioIsCaughtByTheSameCheck() {
        double beta = 1.0;
        QAlignResult correctRun = run(beta, Proposal.SUFFIX, false, 5);
        QAlignResult invertedRun = run(beta, Proposal.SUFFIX, true, 5);
        List<StationarityCheck.Outcome> correct = check(correctRun, beta);
        List<StationarityCheck.Outcome> inverted = check(invertedRun, beta);
        for (int p = 0; p < PROMPTS.size(); p++) {
            assertThat(correct.get(p).passes()).as("correct ratio: %s", correct.get(p)).isTrue();
            assertThat(inverted.get(p).tvOk()).as("inverted ratio, TV: %s", inverted.get(p)).isFalse();
            assertThat(inverted.get(p).chiSquareOk()).as("inverted ratio, chi2: %s", inverted.get(p)).isFalse();

            PromptResult pr = invertedRun.prompt(p);
            ExactDistribution pi = ExactDistribution.target(LM, RM, pr.prompt(), CFG, beta);
            ExactDistribution skewed = ExactDistribution.target(pi, y -> 2 * Math.log(y.length()), 1.0);
            StationarityCheck.Outcome o = StationarityCheck.check(skewed, states(pr));
            assertThat(o.passes()).as("inverted ratio vs pi|y|^2: %s", o).isTrue();
        }
    }

    /**
     * Warm starts change where chains begin, not where they go: (a) every chain starts from the completion with the
     * LOWEST target probability (given unscored, so the sampler scores it), (b) every chain starts from an
     * importance-resampled state (8 base samples). After the same burn-in both pass the same exact-target check.
     */
    @ParameterizedTest(name = "beta={0}")
    @CsvSource({"1.0", "0.3"})
    void warmStartedChainsFollowTheExactTarget(double beta) {
        List<KeyedPrompt> keyed = PROMPTS.stream().map(KeyedPrompt::of).toList();
        List<List<WarmStart>> worst = new ArrayList<>();
        for (Prompt p : PROMPTS) {
            ExactDistribution pi = ExactDistribution.target(LM, RM, p, CFG, beta);
            TokenIds y = pi.probabilities().entrySet().stream().min(java.util.Map.Entry.comparingByValue())
                    .orElseThrow().getKey();
            worst.add(List.of(WarmStart.unscored(y, LM.decode(y), y.length() == CFG.maxCompletionTokens()
                    && y.last() != LM.eosId() ? io.github.qalign.model.FinishReason.LENGTH
                    : io.github.qalign.model.FinishReason.EOS)));
        }
        QAlignSampler sampler = QAlignSampler.builder().languageModel(LM).rewardModel(RM).beta(beta).steps(STEPS)
                .chainsPerPrompt(CHAINS).burnIn(BURN_IN).sampling(CFG).build();
        QAlignResult fromWorst = sampler.runFrom(keyed, worst, 777L + (long) (beta * 10));
        for (PromptResult pr : fromWorst.prompts()) {
            for (ChainResult c : pr.chains()) {
                assertThat(c.initial().completion()).isEqualTo(worst.get(pr.promptIndex()).get(0).completion());
            }
        }
        QAlignResult resampled = sampler.toBuilder().initialCandidates(8).build().run(PROMPTS, 778L);
        for (QAlignResult r : List.of(fromWorst, resampled)) {
            for (StationarityCheck.Outcome o : check(r, beta)) {
                assertThat(o.passes()).as("%s", o).isTrue();
                assertThat(o.n()).isEqualTo(CHAINS * (STEPS + 1 - BURN_IN));
            }
        }
    }

    /**
     * The asynchronous scheduler (every chain advancing on its own through the batching adapters) gives exactly the
     * lockstep chains, so it passes the same exact-target check.
     */
    @Test
    void asyncSchedulerFollowsTheExactTarget() {
        double beta = 1.0;
        long seed = 424242L;
        QAlignResult lockstep = run(beta, Proposal.SUFFIX, false, seed);
        QAlignResult async = QAlignSampler.builder().languageModel(LM).rewardModel(RM).beta(beta).steps(STEPS)
                .chainsPerPrompt(CHAINS).burnIn(BURN_IN).sampling(CFG).scheduling(Scheduling.ASYNC).build()
                .run(PROMPTS, new SplittableRandom(seed));
        assertThat(async.equals(lockstep)).as("async result equals the lockstep result").isTrue();
        for (StationarityCheck.Outcome o : check(async, beta)) {
            assertThat(o.passes()).as("%s", o).isTrue();
        }
    }

    static List<List<TokenIds>> states(PromptResult pr) {
        List<List<TokenIds>> chains = new ArrayList<>();
        for (ChainResult c : pr.chains()) {
            chains.add(c.samples().stream().map(ScoredSample::completion).toList());
        }
        return chains;
    }
}
