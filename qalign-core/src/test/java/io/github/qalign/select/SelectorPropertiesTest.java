package io.github.qalign.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import io.github.qalign.utility.Rouge;
import io.github.qalign.utility.Utility;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SelectorPropertiesTest {

    private static final AnswerExtractor ID = AnswerExtractor.identity();

    @Property(tries = 300, seed = "20261127")
    void bestOfNIsTheEarliestArgmaxAndInvariantToShiftAndPositiveScale(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -1, max = 5) Integer> codes, @ForAll long seed,
            @ForAll @IntRange(min = -1000, max = 1000) int shift, @ForAll @IntRange(min = -3, max = 6) int log2Scale) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        BestOfNSelection sel = new BestOfN().select(s);
        for (int i = 0; i < s.size(); i++) {
            assertThat(s.get(i).reward()).isLessThanOrEqualTo(sel.reward());
            if (i < sel.index()) {
                assertThat(s.get(i).reward()).isLessThan(sel.reward());
            }
        }
        assertThat(sel.sample()).isSameAs(s.get(sel.index()));
        double scale = Math.scalb(1.0, log2Scale);
        assertThat(new BestOfN().select(Fixtures.mapRewards(s, r -> r + shift)).index()).isEqualTo(sel.index());
        assertThat(new BestOfN().select(Fixtures.mapRewards(s, r -> r * scale)).index()).isEqualTo(sel.index());
        assertThat(new BestOfN().select(Fixtures.mapRewards(s, r -> r * 3.7)).index()).isEqualTo(sel.index());
    }

    @Property(tries = 300, seed = "20261127")
    void majorityVoteCountsNonAbstainingSamplesAndBreaksTiesByFirstOccurrence(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -1, max = 4) Integer> codes, @ForAll long seed) {
        VoteSelection v = new MajorityVote(ID).select(Fixtures.samples(codes, seed));
        long abstain = codes.stream().filter(c -> c < 0).count();
        assertThat(v.abstentions()).isEqualTo((int) abstain);
        if (abstain == codes.size()) {
            assertThat(v.answer()).isEmpty();
            assertThat(v.index()).isEmpty();
            assertThat(v.scores()).isEmpty();
            return;
        }
        // independent reference: max count, then earliest first index
        int bestCode = -1;
        long bestCount = -1;
        int bestFirst = Integer.MAX_VALUE;
        for (int c = 0; c <= 4; c++) {
            final int code = c;
            long count = codes.stream().filter(x -> x == code).count();
            int first = codes.indexOf(c);
            if (count > 0 && (count > bestCount || (count == bestCount && first < bestFirst))) {
                bestCode = c;
                bestCount = count;
                bestFirst = first;
            }
        }
        assertThat(v.answer()).contains("a" + bestCode);
        assertThat(v.index()).hasValue(bestFirst);
        assertThat(v.winningScore()).isEqualTo((double) bestCount);
        assertThat(v.scores().values().stream().mapToDouble(Double::doubleValue).sum())
                .isEqualTo((double) (codes.size() - abstain));
    }

    @Property(tries = 300, seed = "20261127")
    void weightedVoteWithHugeBetaIsMajorityVote(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -1, max = 4) Integer> codes, @ForAll long seed) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        VoteSelection mv = new MajorityVote(ID).select(s);
        // beta = 1e300: r / beta underflows to 0 relative to 1, so the weights are exactly uniform (ties included)
        VoteSelection flat = new WeightedMajorityVote(ID, 1e300).select(s);
        assertThat(flat.answer()).isEqualTo(mv.answer());
        assertThat(flat.index()).isEqualTo(mv.index());
        // beta = 1e12: weights differ from uniform by ~1e-10, which can only break exact count ties
        VoteSelection big = new WeightedMajorityVote(ID, 1e12).select(s);
        long winners = mv.scores().values().stream().filter(x -> x == mv.winningScore()).count();
        if (winners == 1) {
            assertThat(big.answer()).isEqualTo(mv.answer());
            assertThat(big.index()).isEqualTo(mv.index());
        }
        for (Map.Entry<String, Double> e : mv.scores().entrySet()) {
            assertThat(big.scores().get(e.getKey())).isCloseTo(e.getValue() / s.size(), within(1e-9));
        }
    }

    @Property(tries = 300, seed = "20261127")
    void weightedVoteIsInvariantToRewardShift(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = -1, max = 4) Integer> codes, @ForAll long seed,
            @ForAll @IntRange(min = -100000, max = 100000) int shift,
            @ForAll @IntRange(min = -4, max = 4) int log2Beta) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        double beta = Math.scalb(1.0, log2Beta);
        VoteSelection a = new WeightedMajorityVote(ID, beta).select(s);
        VoteSelection b = new WeightedMajorityVote(ID, beta).select(Fixtures.mapRewards(s, r -> r + shift));
        assertThat(b.answer()).isEqualTo(a.answer());
        assertThat(b.index()).isEqualTo(a.index());
        assertThat(b.scores().keySet()).containsExactlyElementsOf(a.scores().keySet());
        a.scores().forEach((k, v) -> assertThat(b.scores().get(k)).isCloseTo(v, within(1e-12)));
        double total = a.scores().values().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(total).isBetween(0.0, 1.0 + 1e-12);
    }

    @Property(tries = 200, seed = "20261127")
    void weightedVoteWithTinyBetaFollowsTheBestSample(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 4) Integer> codes, @ForAll long seed) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        BestOfNSelection bon = new BestOfN().select(s);
        VoteSelection v = new WeightedMajorityVote(ID, 1e-6).select(s);
        assertThat(v.answer()).contains(bon.sample().text());
    }

    @Property(tries = 200, seed = "20261127")
    void mbrWithExactMatchOnAnswersIsMajorityVote(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 4) Integer> codes, @ForAll long seed) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        VoteSelection mv = new MajorityVote(ID).select(s);
        Mbr<String> mbr = new Mbr<>(x -> ID.extract(x.text()).orElseThrow(), Utility.exactMatch(), Weighting.uniform());
        MbrSelection m = mbr.select(s);
        assertThat(mv.answer()).contains(m.sample().text());
        assertThat(mv.index()).hasValue(m.index());
        assertThat(m.expectedUtility()).isCloseTo(mv.winningScore() / s.size(), within(1e-12));
        // and with importance weights it is the weighted vote
        VoteSelection wmv = new WeightedMajorityVote(ID, 2.0).select(s);
        MbrSelection wm = new Mbr<>(x -> ID.extract(x.text()).orElseThrow(), Utility.<String>exactMatch(),
                Weighting.importance(2.0)).select(s);
        assertThat(wmv.answer()).contains(wm.sample().text());
    }

    @Property(tries = 60, seed = "20261127")
    void mbrMatchesANaiveAllPairsReference(@ForAll @IntRange(min = 1, max = 60) int n,
                                           @ForAll @IntRange(min = 1, max = 12) int distinct, @ForAll long seed,
                                           @ForAll boolean importance) {
        List<ScoredSample> s = Fixtures.tokenSamples(n, distinct, 12, 8, seed);
        Weighting w = importance ? Weighting.importance(0.75) : Weighting.uniform();
        MbrSelection m = Mbr.rouge1(w).select(s);
        double[] weights = w.weights(s.stream().mapToDouble(ScoredSample::reward).toArray(), n);
        double[] naive = new double[n];
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                naive[i] += weights[j] * Rouge.rouge1F1(s.get(i).completion().toArray(), s.get(j).completion().toArray());
            }
            best = Math.max(best, naive[i]);
        }
        assertThat(m.expectedUtility()).isCloseTo(best, within(1e-12));
        assertThat(naive[m.index()]).isCloseTo(best, within(1e-12));
        // the chosen index is the earliest sample within rounding of the maximum
        for (int i = 0; i < m.index(); i++) {
            assertThat(naive[i]).isLessThan(best + 1e-12);
            if (!s.get(i).completion().equals(s.get(m.index()).completion())) {
                assertThat(naive[i]).isLessThanOrEqualTo(best + 1e-12);
            }
        }
        assertThat(s.get(m.index()).completion()).isNotIn(
                s.subList(0, m.index()).stream().map(ScoredSample::completion).toList());
        for (MbrCandidate c : m.candidates()) {
            assertThat(c.expectedUtility()).isCloseTo(naive[c.firstIndex()], within(1e-12));
        }
        assertThat(m.candidates().stream().mapToInt(MbrCandidate::multiplicity).sum()).isEqualTo(n);
        assertThat(m.candidates().stream().mapToDouble(MbrCandidate::weight).sum()).isCloseTo(1.0, within(1e-12));
    }

    @Property(tries = 100, seed = "20261127")
    void weightedMbrIsInvariantToRewardShift(@ForAll @IntRange(min = 1, max = 50) int n,
                                             @ForAll @IntRange(min = 1, max = 10) int distinct, @ForAll long seed,
                                             @ForAll @IntRange(min = -100000, max = 100000) int shift) {
        List<ScoredSample> s = Fixtures.tokenSamples(n, distinct, 10, 6, seed);
        Mbr<TokenIds> mbr = Mbr.rouge1(Weighting.importance(0.5));
        MbrSelection a = mbr.select(s);
        MbrSelection b = mbr.select(Fixtures.mapRewards(s, r -> r + shift));
        // the samples themselves differ (shifted rewards); everything computed from the weights must not
        assertThat(b.index()).isEqualTo(a.index());
        assertThat(b.expectedUtility()).isEqualTo(a.expectedUtility());
        assertThat(b.candidates()).isEqualTo(a.candidates());
    }

    @Property(tries = 100, seed = "20261127")
    void sweepsEqualSelectionsOnEveryPrefixAndAreDeterministic(
            @ForAll @Size(min = 1, max = 70) List<@IntRange(min = -1, max = 4) Integer> codes, @ForAll long seed) {
        List<ScoredSample> s = Fixtures.samples(codes, seed);
        checkSweep(new BestOfN(), s);
        checkSweep(new MajorityVote(ID), s);
        checkSweep(new WeightedMajorityVote(ID, 0.5), s);
        checkSweep(new Mbr<TokenIds>(ScoredSample::completion, Rouge.rouge1(), Weighting.uniform()), s);
        checkSweep(new Mbr<>(ScoredSample::text, Rouge.rougeLWords(), Weighting.importance(3.0)), s);
    }

    private static <S> void checkSweep(Selector<S> selector, List<ScoredSample> s) {
        List<AtBudget<S>> sweep = selector.sweep(s);
        int[] budgets = Budgets.powersOfTwo(s.size());
        assertThat(sweep).hasSize(budgets.length);
        for (int k = 0; k < budgets.length; k++) {
            assertThat(sweep.get(k).budget()).isEqualTo(budgets[k]);
            assertThat(sweep.get(k).selection()).isEqualTo(selector.select(s.subList(0, budgets[k])));
        }
        assertThat(sweep.get(sweep.size() - 1).selection()).isEqualTo(selector.select(s));
        assertThat(selector.select(s)).isEqualTo(selector.select(List.copyOf(s)));
        assertThat(selector.sweep(s)).isEqualTo(sweep);
    }
}
