package io.github.qalign.sampler;

/**
 * Two ways to count a chain's "acceptance rate" (see docs/algorithm.md, "Acceptance: accepted vs moved").
 *
 * <p>They differ only on candidates identical to the current state (e.g. the index lands on the last token and the
 * model regenerates the same EOS). Such a candidate has {@code log alpha = 0}, so it is always accepted, yet the chain
 * does not move. With long completions this is rare and the two rates agree closely; with short completions (short
 * answers, toy models) {@link #ACCEPTED} can be much higher than {@link #MOVED}.
 */
public enum AcceptanceMeasure {
    /**
     * The Metropolis-Hastings decision: steps whose candidate was accepted ({@code log u < log alpha}), identical
     * candidates included. This is what the paper reports and tunes beta on (~50%): the authors' code counts the
     * Bernoulli(alpha) decision of every step.
     */
    ACCEPTED,
    /** Steps after which the state differs from the state before ({@code y^t != y^{t-1}}): how often the chain moves. */
    MOVED
}
