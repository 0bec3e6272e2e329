package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link IndependentSampler#run} call.
 *
 * @param prompts one entry per prompt, in input order
 * @param usage   total LM and RM usage
 */
public record IndependentResult(List<PromptSamples> prompts, ComputeUsage usage) {
    /**
     * Validates and copies the components.
     *
     * @param prompts see the record description
     * @param usage see the record description
     */
    public IndependentResult {
        prompts = List.copyOf(prompts);
        Objects.requireNonNull(usage, "usage");
    }

    /**
     * The samples of prompt {@code i}.
     *
     * @param i the prompt's index in the run's input order
     * @return the samples of prompt {@code i}
     */
    public PromptSamples prompt(int i) {
        return prompts.get(i);
    }

    /**
     * Usage of the first {@code k} samples of every prompt (the run at a budget of {@code k} samples per prompt).
     *
     * @param k the budget: samples per prompt, in [0, samplesPerPrompt]
     * @return the summed usage
     * @throws IllegalArgumentException if {@code k} is outside that range
     */
    public ComputeUsage usage(int k) {
        ComputeUsage u = ComputeUsage.ZERO;
        for (PromptSamples p : prompts) {
            u = u.plus(p.usage(k));
        }
        return u;
    }
}
