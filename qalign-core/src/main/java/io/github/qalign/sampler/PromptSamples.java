package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
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
    public PromptSamples {
        Objects.requireNonNull(prompt, "prompt");
        samples = List.copyOf(samples);
        sampleUsages = List.copyOf(sampleUsages);
        if (samples.size() != sampleUsages.size()) {
            throw new IllegalArgumentException("samples (" + samples.size() + ") and sampleUsages ("
                    + sampleUsages.size() + ") differ in size");
        }
    }

    /** The first {@code k} samples (a budget of {@code k} samples from the same run). */
    public List<ScoredSample> samples(int k) {
        checkBudget(k);
        return samples.subList(0, k);
    }

    /** Usage of all samples. */
    public ComputeUsage usage() {
        return usage(samples.size());
    }

    /** Usage of the first {@code k} samples. */
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
