package io.github.qalign.sampler;

/** The proposal distribution of a {@link QAlignSampler} chain. */
public enum Proposal {
    /**
     * QUEST suffix proposal: draw {@code i ~ Uniform{0, ..., |y|-1}}, keep {@code y[0:i]} and let the language model
     * continue. Acceptance: {@code log alpha = (r' - r)/beta + log|y| - log|y'|}.
     */
    SUFFIX,
    /**
     * Independence sampler: the index is always 0, so every candidate is a fresh sample from the language model.
     * Acceptance: {@code log alpha = (r' - r)/beta} (no length ratio: the proposal does not depend on the state).
     */
    INDEPENDENCE
}
