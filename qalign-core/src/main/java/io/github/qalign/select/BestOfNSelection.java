package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import java.util.Objects;

/**
 * The best-of-n choice.
 *
 * @param index  position of the chosen sample in the list (the earliest among equal maximal rewards)
 * @param sample the chosen sample
 */
public record BestOfNSelection(int index, ScoredSample sample) {
    /**
     * Validates the components.
     *
     * @param index see the record description
     * @param sample see the record description
     */
    public BestOfNSelection {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        Objects.requireNonNull(sample, "sample");
    }

    /**
     * The maximal reward.
     *
     * @return the chosen sample's reward
     */
    public double reward() {
        return sample.reward();
    }
}
