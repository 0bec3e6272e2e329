package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.ScoredSample;
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
    public PromptResult {
        Objects.requireNonNull(prompt, "prompt");
        chains = List.copyOf(chains);
    }

    /** The samples of all chains (burn-in and thinning applied), chain after chain. */
    public List<ScoredSample> samples() {
        List<ScoredSample> out = new ArrayList<>();
        for (ChainResult c : chains) {
            out.addAll(c.samples());
        }
        return Collections.unmodifiableList(out);
    }

    /** The samples of all chains truncated to their first {@code k} steps, chain after chain. */
    public List<ScoredSample> samples(int k) {
        List<ScoredSample> out = new ArrayList<>();
        for (ChainResult c : chains) {
            out.addAll(c.samples(k));
        }
        return Collections.unmodifiableList(out);
    }

    /** Usage of all chains of this prompt. */
    public ComputeUsage usage() {
        ComputeUsage u = ComputeUsage.ZERO;
        for (ChainResult c : chains) {
            u = u.plus(c.usage());
        }
        return u;
    }

    /** Usage of all chains truncated to their first {@code k} steps. */
    public ComputeUsage usage(int k) {
        ComputeUsage u = ComputeUsage.ZERO;
        for (ChainResult c : chains) {
            u = u.plus(c.usage(k));
        }
        return u;
    }
}
