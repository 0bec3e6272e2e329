package io.github.qalign.examples.eval;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.examples.experiment.Method;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.MajorityVote;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.VoteSelection;
import io.github.qalign.select.WeightedMajorityVote;
import io.github.qalign.select.Weighting;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How each method turns one item's samples into an answer at every budget 1, 2, 4, ..., n, as the paper's general
 * alignment experiments (Section 4.2) do:
 * <ul>
 *   <li>datasets with a final answer (GSM8K, MATH500, MMLU-Redux, TruthfulQA): {@code bon} takes the sample with
 *       the highest reward; {@code mv} the most frequent extracted answer; {@code wmv} the answer with the largest
 *       sum of importance weights softmax(r/beta); {@code qalign} the most frequent answer among the chain states
 *       (MBR with exact-match utility is a majority vote, Section 3);</li>
 *   <li>IFEval (no extractable answer): "MV" and "WMV" are MBR with ROUGE-1 utility over the base samples, uniform
 *       and importance-weighted; {@code qalign} is MBR with ROUGE-1 over the chain states (uniform: they are samples
 *       of the target); {@code bon} as above.</li>
 * </ul>
 * A vote that finds no answer in any sample yields no answer (scored wrong).
 */
public final class EvalSelection {

    /**
     * The choice at one budget.
     *
     * @param budget the budget (samples or chain states)
     * @param index  the chosen sample's index, or -1 when a vote found no answer
     * @param answer the voted answer (vote methods), else the chosen sample's extracted answer when the dataset has
     *               an extractor; empty otherwise
     */
    public record Pick(int budget, int index, Optional<String> answer) {
        /**
         * Validates the components.
         *
         * @param budget see the record description
         * @param index  see the record description
         * @param answer see the record description
         */
        public Pick {
            Objects.requireNonNull(answer, "answer");
            if (budget < 1 || index < -1) {
                throw new IllegalArgumentException("bad pick: budget " + budget + ", index " + index);
            }
        }
    }

    private EvalSelection() {
    }

    /**
     * The choice at every budget.
     *
     * @param method    qalign, bon, mv or wmv
     * @param extractor the dataset's answer extractor, or empty for open-ended datasets (IFEval: MBR)
     * @param beta      the temperature of WMV's importance weights
     * @param samples   the item's samples (QAlign: chain states y^0..y^T) in order, non-empty
     * @return one pick per budget of {@link io.github.qalign.select.Budgets#powersOfTwo(int)}
     *         {@code (samples.size())}, budgets increasing
     */
    public static List<Pick> sweep(Method method, Optional<AnswerExtractor> extractor, double beta,
                                   List<ScoredSample> samples) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(extractor, "extractor");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples to select from");
        }
        if (method == Method.BON) {
            return new BestOfN().sweep(samples).stream().map(a -> new Pick(a.budget(), a.selection().index(),
                    extractor.flatMap(e -> e.extract(a.selection().sample().text())))).toList();
        }
        if (method == Method.MBR) {
            throw new IllegalArgumentException("mbr is not one of the paper's Table 1 methods");
        }
        if (extractor.isPresent()) {
            AnswerExtractor ex = extractor.get();
            List<AtBudget<VoteSelection>> votes = method == Method.WMV
                    ? new WeightedMajorityVote(ex, beta).sweep(samples)
                    : new MajorityVote(ex).sweep(samples);
            return votes.stream().map(a -> new Pick(a.budget(), a.selection().index().orElse(-1),
                    a.selection().answer())).toList();
        }
        Weighting w = method == Method.WMV ? Weighting.importance(beta) : Weighting.uniform();
        return Mbr.rouge1(w).sweep(samples).stream()
                .map(a -> new Pick(a.budget(), a.selection().index(), Optional.<String>empty())).toList();
    }
}
