package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link QAlignSampler#run} call.
 *
 * @param prompts  one result per prompt, in input order
 * @param beta     the temperature {@code beta} of the target
 * @param steps    the number of steps {@code T} of every chain
 * @param proposal the proposal used
 * @param usage    total LM and RM usage of the run (sum over every generation and reward)
 */
public record QAlignResult(List<PromptResult> prompts, double beta, int steps, Proposal proposal,
                           ComputeUsage usage) {
    /**
     * Validates and copies the components.
     *
     * @param prompts see the record description
     * @param beta see the record description
     * @param steps see the record description
     * @param proposal see the record description
     * @param usage see the record description
     */
    public QAlignResult {
        prompts = List.copyOf(prompts);
        Objects.requireNonNull(proposal, "proposal");
        Objects.requireNonNull(usage, "usage");
    }

    /**
     * The result of prompt {@code i}.
     *
     * @param i the prompt's index in the run's input order
     * @return the result of prompt {@code i}
     */
    public PromptResult prompt(int i) {
        return prompts.get(i);
    }

    /**
     * Accepted steps over all steps of all chains, the Metropolis-Hastings decision
     * ({@link AcceptanceMeasure#ACCEPTED}, the paper's acceptance rate; 0 when there are no steps).
     *
     * @return the acceptance rate, in [0, 1]
     */
    public double acceptanceRate() {
        return rate(AcceptanceMeasure.ACCEPTED);
    }

    /**
     * Steps that moved the chain ({@code y^t != y^{t-1}}) over all steps of all chains
     * ({@link AcceptanceMeasure#MOVED}; 0 when there are no steps). At most {@link #acceptanceRate()}.
     *
     * @return the move rate, in [0, 1]
     */
    public double moveRate() {
        return rate(AcceptanceMeasure.MOVED);
    }

    /**
     * The rate of {@code measure} over all steps of all chains (0 when there are no steps).
     *
     * @param measure accepted or moved
     * @return the rate, in [0, 1]
     */
    public double rate(AcceptanceMeasure measure) {
        long counted = 0;
        long total = 0;
        for (PromptResult p : prompts) {
            for (ChainResult c : p.chains()) {
                counted += c.count(measure);
                total += c.stepCount();
            }
        }
        return total == 0 ? 0.0 : (double) counted / total;
    }

    /**
     * Usage of the run truncated to its first {@code k} steps.
     *
     * @param k the budget: steps per chain, in [0, T]
     * @return usage of the run truncated to its first {@code k} steps
     */
    public ComputeUsage usage(int k) {
        ComputeUsage u = ComputeUsage.ZERO;
        for (PromptResult p : prompts) {
            u = u.plus(p.usage(k));
        }
        return u;
    }
}
