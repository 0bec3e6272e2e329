package io.github.qalign.select;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Majority vote: the most frequent extracted answer.
 *
 * <ul>
 *   <li>Every sample with an extracted answer casts one vote (repeated chain states vote again); samples whose
 *       extraction fails abstain and are counted in {@link VoteSelection#abstentions()}.</li>
 *   <li>Ties go to the answer whose first occurrence in the list is earliest.</li>
 *   <li>If no sample yields an answer the selection has an empty answer and empty index (never an exception).</li>
 * </ul>
 * The sweep extracts each answer once and re-tallies each prefix (total work O(T)).
 */
public final class MajorityVote implements Selector<VoteSelection> {

    private final AnswerExtractor extractor;

    /**
     * A majority vote over the answers {@code extractor} finds.
     *
     * @param extractor the answer extractor
     */
    public MajorityVote(AnswerExtractor extractor) {
        this.extractor = Objects.requireNonNull(extractor, "extractor");
    }

    @Override
    public VoteSelection select(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        return Votes.tally(Votes.extract(extractor, samples), null, samples.size());
    }

    @Override
    public List<AtBudget<VoteSelection>> sweep(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        String[] answers = Votes.extract(extractor, samples);
        List<AtBudget<VoteSelection>> out = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(samples.size())) {
            out.add(new AtBudget<>(b, Votes.tally(answers, null, b)));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "MajorityVote(" + extractor + ")";
    }
}
