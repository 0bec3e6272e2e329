package io.github.qalign.select;

import io.github.qalign.model.ScoredSample;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks an output from a non-empty list of scored samples, in sample order (chain order or sample index).
 *
 * @param <S> the selection record, which carries the chosen sample or answer and the scores behind the choice
 */
public interface Selector<S> {

    /**
     * The selection over all of {@code samples}.
     *
     * @param samples the samples in order, non-empty, no null element
     * @return the selection
     * @throws IllegalArgumentException if {@code samples} is empty
     * @throws NullPointerException     if {@code samples} or one of its elements is null
     */
    S select(List<ScoredSample> samples);

    /**
     * The selection at every budget of {@link Budgets#powersOfTwo(int)} for {@code samples.size()}: the selection at
     * budget b uses the first b samples and equals {@code select(samples.subList(0, b))}. The default recomputes per
     * budget; implementations share work across budgets.
     *
     * @param samples the samples of one run in order, non-empty
     * @return one entry per budget, budgets increasing, the last being {@code samples.size()}
     * @throws IllegalArgumentException if {@code samples} is empty
     * @throws NullPointerException     if {@code samples} or one of its elements is null
     */
    default List<AtBudget<S>> sweep(List<ScoredSample> samples) {
        Samples.requireNonEmpty(samples);
        List<AtBudget<S>> out = new ArrayList<>();
        for (int b : Budgets.powersOfTwo(samples.size())) {
            out.add(new AtBudget<>(b, select(samples.subList(0, b))));
        }
        return List.copyOf(out);
    }
}
