package io.github.qalign.select;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The result of a (weighted) majority vote.
 *
 * @param answer      the winning canonical answer; empty when no sample yielded an answer
 * @param index       the earliest sample giving the winning answer (its representative); empty iff answer is
 * @param scores      the score of each answer, in order of first occurrence: the vote count for majority vote, the
 *                    summed normalised weight for weighted majority vote (the weights of all samples, abstaining
 *                    ones included, sum to 1)
 * @param abstentions number of samples from which no answer was extracted (they do not vote)
 */
public record VoteSelection(Optional<String> answer, OptionalInt index, Map<String, Double> scores,
                            int abstentions) {
    /**
     * Validates the components.
     *
     * @param answer see the record description
     * @param index see the record description
     * @param scores see the record description
     * @param abstentions see the record description
     */
    public VoteSelection {
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(scores, "scores");
        if (answer.isPresent() != index.isPresent()) {
            throw new IllegalArgumentException("answer and index must be both present or both empty");
        }
        if (abstentions < 0) {
            throw new IllegalArgumentException("abstentions must be >= 0, got " + abstentions);
        }
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }

    /**
     * The winning answer's score (0 when there is no answer).
     *
     * @return the score of {@link #answer()}
     */
    public double winningScore() {
        return answer.map(scores::get).orElse(0.0);
    }
}
