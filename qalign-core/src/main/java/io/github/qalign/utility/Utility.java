package io.github.qalign.utility;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A utility u(candidate, reference) in [0, 1]: how good {@code candidate} is if {@code reference} were the truth.
 * Minimum-Bayes-risk selection picks the candidate with the highest expected utility against the samples.
 *
 * <p>Implementations must be pure (same inputs, same value) and return a finite value in [0, 1]. Utilities that
 * can precompute per-item state (ROUGE's count vectors) override {@link #indexed()} so that an N x N matrix is
 * computed without redoing per-item work N times.
 *
 * @param <T> the compared value (token ids, text, an extracted answer)
 */
@FunctionalInterface
public interface Utility<T> {

    /**
     * The utility of {@code candidate} when {@code reference} is the truth.
     *
     * @param candidate the hypothesis being scored
     * @param reference the pseudo-reference (another sample)
     * @return a value in [0, 1]
     */
    double apply(T candidate, T reference);

    /**
     * Whether {@code apply(a, b) == apply(b, a)} for all a, b; a symmetric utility lets MBR compute half the matrix.
     *
     * @return {@code false} unless the implementation guarantees symmetry
     */
    default boolean isSymmetric() {
        return false;
    }

    /**
     * A fresh, empty indexed evaluator: items are added once and pairs are then addressed by index. The default
     * stores the items and calls {@link #apply}; implementations override it to precompute per-item state.
     *
     * @return a new evaluator owning no items
     */
    default Indexed<T> indexed() {
        Utility<T> self = this;
        return new Indexed<>() {
            private final List<T> items = new ArrayList<>();

            @Override
            public int add(T item) {
                items.add(Objects.requireNonNull(item, "item"));
                return items.size() - 1;
            }

            @Override
            public int size() {
                return items.size();
            }

            @Override
            public double apply(int candidate, int reference) {
                return self.apply(items.get(candidate), items.get(reference));
            }
        };
    }

    /**
     * The exact-match utility: 1 if {@code candidate.equals(reference)}, else 0. MBR with this utility over
     * extracted answers is majority vote.
     *
     * @param <T> the compared value
     * @return the exact-match utility (symmetric)
     */
    static <T> Utility<T> exactMatch() {
        return new Utility<>() {
            @Override
            public double apply(T candidate, T reference) {
                return Objects.equals(candidate, reference) ? 1.0 : 0.0;
            }

            @Override
            public boolean isSymmetric() {
                return true;
            }

            @Override
            public String toString() {
                return "exactMatch";
            }
        };
    }

    /**
     * An evaluator over a growing list of items, addressed by the index {@link #add} returned. Not thread-safe.
     *
     * @param <T> the item type
     */
    interface Indexed<T> {
        /**
         * Adds an item (precomputing whatever the utility needs) and returns its index (0, 1, 2, ...).
         *
         * @param item a non-null item
         * @return the index of the item
         */
        int add(T item);

        /**
         * Number of items added.
         *
         * @return the item count
         */
        int size();

        /**
         * The utility of item {@code candidate} against item {@code reference}.
         *
         * @param candidate index of the candidate
         * @param reference index of the reference
         * @return a value in [0, 1]
         */
        double apply(int candidate, int reference);
    }
}
