package io.github.qalign.select;

import static io.github.qalign.select.Fixtures.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.utility.Rouge;
import io.github.qalign.utility.Utility;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorExamplesTest {

    private static final AnswerExtractor GSM = AnswerExtractor.gsm8k();

    @Test
    void budgets() {
        assertThat(Budgets.powersOfTwo(1)).containsExactly(1);
        assertThat(Budgets.powersOfTwo(2)).containsExactly(1, 2);
        assertThat(Budgets.powersOfTwo(5)).containsExactly(1, 2, 4, 5);
        assertThat(Budgets.powersOfTwo(8)).containsExactly(1, 2, 4, 8);
        assertThat(Budgets.powersOfTwo(1024)).hasSize(11).endsWith(512, 1024);
        assertThat(Budgets.powersOfTwo(Integer.MAX_VALUE)).hasSize(32).endsWith(1 << 30, Integer.MAX_VALUE);
        assertThatThrownBy(() -> Budgets.powersOfTwo(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("total");
    }

    @Test
    void emptyListIsRejectedByEverySelector() {
        List<Selector<?>> selectors = List.of(new BestOfN(), new MajorityVote(GSM), new WeightedMajorityVote(GSM, 1),
                Mbr.rouge1(Weighting.uniform()));
        for (Selector<?> s : selectors) {
            assertThatThrownBy(() -> s.select(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("samples must not be empty");
            assertThatThrownBy(() -> s.sweep(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("samples must not be empty");
        }
        List<ScoredSample> withNull = new ArrayList<>();
        withNull.add(sample("1", 0));
        withNull.add(null);
        assertThatThrownBy(() -> new BestOfN().select(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("samples[1]");
        for (Selector<?> s : selectors) {
            assertThatThrownBy(() -> s.select(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("samples");
            assertThatThrownBy(() -> s.sweep(withNull)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("samples[1]");
        }
        assertThatThrownBy(() -> new MajorityVote(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("extractor");
        assertThatThrownBy(() -> new Mbr<>(null, Utility.exactMatch(), Weighting.uniform()))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("view");
        assertThatThrownBy(() -> new MajorityVote(text -> null).select(List.of(sample("1", 0))))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("Optional.empty()");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0})
    void badBetaIsRejectedNamingBeta(double beta) {
        assertThatThrownBy(() -> new WeightedMajorityVote(GSM, beta)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> Weighting.importance(beta)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beta");
    }

    @Test
    void nanRewardsCannotReachASelector() {
        assertThatThrownBy(() -> sample("x", Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reward");
    }

    @Test
    void votesWithoutAnyAnswerGiveAnEmptyAnswer() {
        List<ScoredSample> s = List.of(sample("no idea", 1), sample("none", 2));
        for (VoteSelection v : List.of(new MajorityVote(GSM).select(s), new WeightedMajorityVote(GSM, 1).select(s))) {
            assertThat(v.answer()).isEmpty();
            assertThat(v.index()).isEmpty();
            assertThat(v.scores()).isEmpty();
            assertThat(v.abstentions()).isEqualTo(2);
            assertThat(v.winningScore()).isEqualTo(0.0);
        }
    }

    @Test
    void majorityVoteUsesNumericEqualityAndIgnoresFailedExtractions() {
        List<ScoredSample> s = List.of(
                sample("I am unsure", 9), sample("so 7 apples", 0), sample("The answer is 18.00", 0),
                sample("nothing here", 9), sample("#### 18", 0), sample("no number", 9), sample("7", 0));
        VoteSelection v = new MajorityVote(GSM).select(s);
        // 18 and 7 both have two votes; 7 occurred first (index 1)
        assertThat(v.answer()).contains("7");
        assertThat(v.index()).hasValue(1);
        assertThat(v.scores()).containsExactly(java.util.Map.entry("7", 2.0), java.util.Map.entry("18", 2.0));
        assertThat(v.abstentions()).isEqualTo(3);
    }

    @Test
    void weightedVoteHandCheckedAndStableForExtremeRewards() {
        // rewards 0, ln 3, 0 with beta 1: weights 1/5, 3/5, 1/5
        List<ScoredSample> s = List.of(sample("1", 0), sample("2", Math.log(3)), sample("1", 0));
        VoteSelection v = new WeightedMajorityVote(GSM, 1).select(s);
        assertThat(v.answer()).contains("2");
        assertThat(v.scores().get("2")).isCloseTo(0.6, within(1e-15));
        assertThat(v.scores().get("1")).isCloseTo(0.4, within(1e-15));

        List<ScoredSample> extreme = List.of(sample("1", -1e308), sample("2", 1e308), sample("3", 1e308),
                sample("4", 0));
        VoteSelection e = new WeightedMajorityVote(GSM, 1e-300).select(extreme);
        assertThat(e.scores().values()).allSatisfy(x -> assertThat(x).isFinite());
        assertThat(e.scores().get("2")).isEqualTo(0.5);
        assertThat(e.scores().get("3")).isEqualTo(0.5);
        assertThat(e.scores().get("1")).isEqualTo(0.0);
        assertThat(e.answer()).contains("2");
        double[] w = Weighting.softmax(new double[] {-Double.MAX_VALUE, Double.MAX_VALUE}, 2, Double.MIN_VALUE);
        assertThat(w).containsExactly(0.0, 1.0);
    }

    @Test
    void bestOfNTiesGoToTheEarliest() {
        List<ScoredSample> s = List.of(sample("a", 1), sample("b", 3), sample("c", 3), sample("d", -2));
        assertThat(new BestOfN().select(s).index()).isEqualTo(1);
        assertThat(new BestOfN().sweep(s)).extracting(b -> b.selection().index()).containsExactly(0, 1, 1);
    }

    @Test
    void mbrComputesEachDistinctPairOnceAcrossTheWholeSweep() {
        AtomicLong calls = new AtomicLong();
        Utility<TokenIds> rouge = Rouge.rouge1();
        Utility<TokenIds> counting = new Utility<>() {
            @Override
            public double apply(TokenIds a, TokenIds b) {
                calls.incrementAndGet();
                return rouge.apply(a, b);
            }

            @Override
            public boolean isSymmetric() {
                return true;
            }
        };
        List<ScoredSample> s = Fixtures.tokenSamples(1024, 40, 30, 50, 3);
        long distinct = s.stream().map(ScoredSample::completion).distinct().count();
        Mbr<TokenIds> mbr = new Mbr<>(ScoredSample::completion, counting, Weighting.uniform());
        List<AtBudget<MbrSelection>> sweep = mbr.sweep(s);
        assertThat(calls.get()).isEqualTo(distinct * (distinct + 1) / 2);
        assertThat(sweep.get(sweep.size() - 1).selection().candidates()).hasSize((int) distinct);
        assertThat(sweep.get(sweep.size() - 1).selection()).isEqualTo(Mbr.rouge1(Weighting.uniform()).select(s));

        calls.set(0);
        Utility<TokenIds> asymmetric = (a, b) -> {
            calls.incrementAndGet();
            return rouge.apply(a, b);
        };
        MbrSelection m = new Mbr<>(ScoredSample::completion, asymmetric, Weighting.uniform()).select(s);
        assertThat(calls.get()).isEqualTo(distinct * distinct);
        assertThat(m).isEqualTo(Mbr.rouge1(Weighting.uniform()).select(s));
    }

    @Test
    void asymmetricUtilityUsesCandidateThenReference() {
        // u(c, r) = 1 if c is a prefix of r: the candidate that prefixes most samples wins
        Utility<String> prefix = (c, r) -> r.startsWith(c) ? 1.0 : 0.0;
        List<ScoredSample> s = List.of(sample("abc", 0), sample("ab", 0), sample("abd", 0), sample("x", 0));
        MbrSelection m = new Mbr<>(ScoredSample::text, prefix, Weighting.uniform()).select(s);
        assertThat(m.sample().text()).isEqualTo("ab");
        assertThat(m.expectedUtility()).isCloseTo(0.75, within(1e-15));
    }

    @Test
    void weightedMbrNeverUsesRawRewards() {
        // with raw negative rewards as weights the sign would flip; softmax weights are positive
        List<ScoredSample> s = List.of(sample("aaaa", -50), sample("aaab", -50), sample("zzzz", -49));
        // raw-reward weights would give aaaa and aaab -87.5 and zzzz -49, picking the outlier zzzz
        MbrSelection w = Mbr.rouge1(Weighting.importance(100)).select(s);
        assertThat(w.sample().text()).isEqualTo("aaaa"); // exact tie with aaab, earliest wins
        assertThat(w.candidates()).allSatisfy(c -> assertThat(c.weight()).isPositive());
        MbrSelection sharp = Mbr.rouge1(Weighting.importance(0.01)).select(s);
        assertThat(sharp.sample().text()).isEqualTo("zzzz");
    }

    @Test
    void badUtilitiesAndViewsAreReported() {
        List<ScoredSample> s = List.of(sample("a", 0), sample("b", 0));
        assertThatThrownBy(() -> new Mbr<>(ScoredSample::text, (a, b) -> 2.0, Weighting.uniform()).select(s))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[0, 1]").hasMessageContaining("2.0");
        assertThatThrownBy(() -> new Mbr<>(ScoredSample::text, (a, b) -> Double.NaN, Weighting.uniform()).select(s))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new Mbr<String>(x -> null, Utility.exactMatch(), Weighting.uniform()).select(s))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples[0]");
    }
}
