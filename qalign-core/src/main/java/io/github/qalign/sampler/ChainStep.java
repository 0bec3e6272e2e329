package io.github.qalign.sampler;

import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.ScoredSample;
import java.util.Objects;

/**
 * One step of one QAlign chain.
 *
 * @param step          step number, 1-based ({@code state} is the chain's state {@code y^step})
 * @param index         the resample index {@code i}: the candidate kept {@code y^{step-1}[0:i]}
 * @param currentLength {@code |y^{step-1}|}, the length of the state the step started from
 * @param currentReward {@code r(y^{step-1})}
 * @param candidate     the proposed completion {@code y'} with its reward
 * @param logAlpha      the log acceptance ratio (before {@code min(0, .)}; after the optional clamp)
 * @param accepted      whether {@code y'} was accepted
 * @param state         the resulting state {@code y^step}: {@code candidate} if accepted, else the previous state
 * @param usage         LM and RM usage of this step for this chain
 */
public record ChainStep(int step, int index, int currentLength, double currentReward, ScoredSample candidate,
                        double logAlpha, boolean accepted, ScoredSample state, ComputeUsage usage) {
    public ChainStep {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(usage, "usage");
    }

    /** Tokens the language model generated for the candidate: {@code |y'| - i}. */
    public int generatedTokens() {
        return candidate.completion().length() - index;
    }

    /** The resample index relative to the current length, {@code i / |y|} in [0, 1). */
    public double relativeIndex() {
        return (double) index / currentLength;
    }
}
