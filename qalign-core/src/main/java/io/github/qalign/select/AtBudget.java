package io.github.qalign.select;

import java.util.Objects;

/**
 * A selection made from the first {@code budget} samples of a run.
 *
 * @param budget    number of samples used, at least 1
 * @param selection the selection over those samples
 * @param <S>       the selection type
 */
public record AtBudget<S>(int budget, S selection) {
    /** Validates the budget and selection. */
    public AtBudget {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be >= 1, got " + budget);
        }
        Objects.requireNonNull(selection, "selection");
    }
}
