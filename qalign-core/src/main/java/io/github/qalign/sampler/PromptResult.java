package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.Budgets;
import io.github.qalign.select.Selector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The chains of one prompt.
 *
 * @param promptIndex index of the prompt in the run
 * @param prompt      the prompt
 * @param chains      its chains, in chain order
 */
public record PromptResult(int promptIndex, Prompt prompt, List<ChainResult> chains) {
    /**
     * Validates and copies the components.
     *
     * @param promptIndex see the record description
     * @param prompt see the record description
     * @param chains see the record description
     */
    public PromptResult {
        Objects.requireNonNull(prompt, "prompt");
        chains = List.copyOf(chains);
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("chains must not be empty");
        }
    }

    /**
     * The samples of all chains (burn-in and thinning applied), chain after chain.
     *
     * @return the samples of all chains (burn-in and thinning applied), chain after chain
     */
    public List<ScoredSample> samples() {
        List<ScoredSample> out = new ArrayList<>();
        for (ChainResult c : chains) {
            out.addAll(c.samples());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The samples of all chains truncated to their first {@code k} steps, chain after chain.
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return the samples of all chains truncated to their first {@code k} steps, chain after chain
     */
    public List<ScoredSample> samples(int k) {
        List<ScoredSample> out = new ArrayList<>();
        for (ChainResult c : chains) {
            out.addAll(c.samples(k));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * A selector's budget sweep over this prompt's chains, from the one run: for every budget {@code k} of
     * {@link Budgets#powersOfTwo(int) Budgets.powersOfTwo(T)} (steps per chain) from which a sample survives burn-in
     * ({@code k >= burnIn}), the selection over {@link #samples(int) samples(k)}, i.e. over every chain stopped after
     * {@code k} steps. Pair a budget with {@link #usage(int) usage(k)} for compute-matched comparisons.
     *
     * <p>Unlike {@code selector.sweep(samples())}, whose budgets would count samples of the concatenated chains
     * (chain 0 first), the budget here is the number of steps of every chain, as in the paper's plots.
     *
     * @param selector the selector
     * @param <S>      the selection type
     * @return one entry per budget, budgets increasing, the last being {@code T}
     * @throws IllegalStateException if the chains have no steps ({@code T = 0}): use {@link #samples()} directly
     */
    public <S> List<AtBudget<S>> sweep(Selector<S> selector) {
        Objects.requireNonNull(selector, "selector");
        ChainResult first = chains.get(0);
        int t = first.stepCount();
        if (t == 0) {
            throw new IllegalStateException("the chains of prompt " + promptIndex + " have no steps to sweep over;"
                    + " select from samples() instead");
        }
        List<AtBudget<S>> out = new ArrayList<>();
        for (int k : Budgets.powersOfTwo(t)) {
            if (k >= first.burnIn()) {
                out.add(new AtBudget<>(k, selector.select(samples(k))));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Usage of all chains of this prompt.
     *
     * @return usage of all chains of this prompt
     */
    public ComputeUsage usage() {
        ComputeUsage u = ComputeUsage.ZERO;
        for (ChainResult c : chains) {
            u = u.plus(c.usage());
        }
        return u;
    }

    /**
     * Usage of all chains truncated to their first {@code k} steps.
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return usage of all chains truncated to their first {@code k} steps
     */
    public ComputeUsage usage(int k) {
        ComputeUsage u = ComputeUsage.ZERO;
        for (ChainResult c : chains) {
            u = u.plus(c.usage(k));
        }
        return u;
    }
}
