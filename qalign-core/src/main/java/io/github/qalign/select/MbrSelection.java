package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import java.util.List;
import java.util.Objects;

/**
 * The minimum-Bayes-risk choice.
 *
 * @param index           the first occurrence of the chosen candidate in the sample list
 * @param sample          the chosen sample
 * @param expectedUtility its expected utility against the weighted samples
 * @param candidates      every distinct candidate, in order of first occurrence
 */
public record MbrSelection(int index, ScoredSample sample, double expectedUtility, List<MbrCandidate> candidates) {
    /**
     * Validates the components.
     *
     * @param index see the record description
     * @param sample see the record description
     * @param expectedUtility see the record description
     * @param candidates see the record description
     */
    public MbrSelection {
        Objects.requireNonNull(sample, "sample");
        candidates = List.copyOf(candidates);
    }
}
