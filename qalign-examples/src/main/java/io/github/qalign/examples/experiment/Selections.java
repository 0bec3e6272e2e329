package io.github.qalign.examples.experiment;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.select.WeightedMajorityVote;
import io.github.qalign.select.Weighting;
import java.util.List;
import java.util.Objects;

/**
 * Applies a {@link Method}'s selector to the samples of one prompt at every budget 1, 2, 4, ..., n (the budgets of
 * {@link io.github.qalign.select.Budgets#powersOfTwo(int)}), returning the index of the chosen sample per budget.
 *
 * <p>Vote-based methods whose vote found no answer at all fall back to the first sample (index 0), as a user
 * without an answer would take the first generation.
 */
public final class Selections {

    private final AnswerExtractor extractor;
    private final double beta;

    /**
     * @param extractor answer extractor for MV and WMV
     * @param beta      the beta of WMV's importance weights (the QAlign target's beta)
     */
    public Selections(AnswerExtractor extractor, double beta) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        this.beta = beta;
    }

    /**
     * The chosen sample index at every budget.
     *
     * @param method  the method (QAlign: samples are chain states)
     * @param samples one prompt's samples in order, non-empty
     * @return one entry per budget, budgets increasing
     */
    public List<AtBudget<Integer>> sweep(Method method, List<ScoredSample> samples) {
        return switch (method) {
            case BON -> new BestOfN().sweep(samples).stream()
                    .map(a -> new AtBudget<>(a.budget(), a.selection().index())).toList();
            case MV -> votes(new MajorityVote(extractor).sweep(samples));
            case WMV -> votes(new WeightedMajorityVote(extractor, beta).sweep(samples));
            case MBR, QALIGN -> Mbr.rouge1(Weighting.uniform()).sweep(samples).stream()
                    .map(a -> new AtBudget<>(a.budget(), a.selection().index())).toList();
        };
    }

    /** The chosen sample index over all samples. */
    public int select(Method method, List<ScoredSample> samples) {
        List<AtBudget<Integer>> all = sweep(method, samples);
        return all.get(all.size() - 1).selection();
    }

    private static List<AtBudget<Integer>> votes(List<AtBudget<VoteSelection>> sweep) {
        return sweep.stream().map(a -> new AtBudget<>(a.budget(), a.selection().index().orElse(0))).toList();
    }
}
