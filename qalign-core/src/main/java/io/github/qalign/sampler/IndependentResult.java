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
    public IndependentResult {
        prompts = List.copyOf(prompts);
        Objects.requireNonNull(usage, "usage");
    }

    /** The samples of prompt {@code i}. */
    public PromptSamples prompt(int i) {
        return prompts.get(i);
    }
}
