package io.github.qalign.select;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Weighted majority vote: each sample votes for its extracted answer with its self-normalised importance weight
 * softmax(r / beta) (see {@link Weighting}); the answer with the largest total weight wins.
 *
 * <ul>
 *   <li>Weights are normalised over all samples of the (prefix of the) list, abstaining ones included, so the
 *       scores of the answers sum to 1 minus the abstaining samples' weight.</li>
 *   <li>Ties (exactly equal totals) go to the answer whose first occurrence is earliest; no answer at all gives an
 *       empty answer.</li>
 *   <li>As beta grows the weights become uniform and the vote becomes {@link MajorityVote}; as beta shrinks it
 *       becomes the answer of the best-of-n sample. Adding a constant to every reward changes nothing.</li>
 * </ul>
 */
public final class WeightedMajorityVote implements Selector<VoteSelection> {

    private final AnswerExtractor extractor;
    private final double beta;

    /**
     * A weighted vote with temperature {@code beta}.
     *
     * @param extractor the answer extractor
     * @param beta      the temperature, finite and > 0
     * @throws IllegalArgumentException naming beta if it is not finite or not positive
     */
    public WeightedMajorityVote(AnswerExtractor extractor, double beta) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
        this.beta = Weighting.requireValidBeta(beta);
    }

    /**
     * The temperature.
     *
     * @return beta
     */
    public double beta() {
        return beta;
    }

    @Override
    public VoteSelection select(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        int n = samples.size();
        return Votes.tally(Votes.extract(extractor, samples),
                Weighting.softmax(Samples.rewards(samples, n), n, beta), n);
    }

    /** Extracts each answer once; recomputes the prefix's weights per budget (total work O(T)). */
    @Override
    public List<AtBudget<VoteSelection>> sweep(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        String[] answers = Votes.extract(extractor, samples);
        double[] rewards = Samples.rewards(samples, samples.size());
        List<AtBudget<VoteSelection>> out = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(samples.size())) {
            out.add(new AtBudget<>(b, Votes.tally(answers, Weighting.softmax(rewards, b, beta), b)));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "WeightedMajorityVote(" + extractor + ", beta=" + beta + ")";
    }
}
