package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.select.AtBudget;
import io.github.qalign.select.Selector;
import java.util.List;
import java.util.Objects;

/**
 * Independent samples of one prompt, in draw order.
 *
 * @param promptIndex  index of the prompt in the run
 * @param prompt       the prompt
 * @param samples      the scored samples
 * @param sampleUsages LM and RM usage of each sample, parallel to {@code samples}
 */
public record PromptSamples(int promptIndex, Prompt prompt, List<ScoredSample> samples,
                            List<ComputeUsage> sampleUsages) {
    /**
     * Validates and copies the components.
     *
     * @param promptIndex see the record description
     * @param prompt see the record description
     * @param samples see the record description
     * @param sampleUsages see the record description
     */
    public PromptSamples {
        Objects.requireNonNull(prompt, "prompt");
        samples = List.copyOf(samples);
        sampleUsages = List.copyOf(sampleUsages);
        if (samples.size() != sampleUsages.size()) {
            throw new IllegalArgumentException("samples (" + samples.size() + ") and sampleUsages ("
                    + sampleUsages.size() + ") differ in size");
        }
    }

    /**
     * The first {@code k} samples (a budget of {@code k} samples from the same run).
     *
     * @param k the budget: the number of samples, in [0, samples().size()]
     * @return the first {@code k} samples (a budget of {@code k} samples from the same run)
     */
    public List<ScoredSample> samples(int k) {
        checkBudget(k);
        return samples.subList(0, k);
    }

    /**
     * A selector's budget sweep over these samples: {@code selector.sweep(samples())}, the budgets being the sample
     * counts {@code 1, 2, 4, ..., n} (see {@link Selector#sweep(List)}). Pair a budget {@code b} with
     * {@link #usage(int) usage(b)} for compute-matched comparisons.
     *
     * @param selector the selector
     * @param <S>      the selection type
     * @return one entry per budget, budgets increasing, the last being {@code n}
     * @throws IllegalArgumentException if there are no samples
     */
    public <S> List<AtBudget<S>> sweep(Selector<S> selector) {
        return Objects.requireNonNull(selector, "selector").sweep(samples);
    }

    /**
     * Usage of all samples.
     *
     * @return usage of all samples
     */
    public ComputeUsage usage() {
        return usage(samples.size());
    }

    /**
     * Usage of the first {@code k} samples.
     *
     * @param k the budget: the number of samples, in [0, samples().size()]
     * @return usage of the first {@code k} samples
     */
    public ComputeUsage usage(int k) {
        checkBudget(k);
        ComputeUsage u = ComputeUsage.ZERO;
        for (int i = 0; i < k; i++) {
            u = u.plus(sampleUsages.get(i));
        }
        return u;
    }

    private void checkBudget(int k) {
        if (k < 0 || k > samples.size()) {
            throw new IllegalArgumentException("budget k must be in [0, " + samples.size() + "], got " + k);
        }
    }
}
