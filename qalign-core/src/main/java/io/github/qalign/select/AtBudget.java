package io.github.qalign.select;

import java.util.Objects;

/**
 * A selection made from a budget-limited prefix of a run.
 *
 * @param budget    the budget, at least 1: the number of samples used for {@link Selector#sweep(java.util.List)}
 *                  and {@code PromptSamples.sweep}, the number of steps of every chain for
 *                  {@code PromptResult.sweep}
 * @param selection the selection over those samples
 * @param <S>       the selection type
 */
public record AtBudget<S>(int budget, S selection) {
    /**
     * Validates the components.
     *
     * @param budget see the record description
     * @param selection see the record description
     */
    public AtBudget {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be >= 1, got " + budget);
        }
        Objects.requireNonNull(selection, "selection");
    }
}
