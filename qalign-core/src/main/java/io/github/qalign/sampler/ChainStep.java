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
    /**
     * Validates and copies the components.
     *
     * @param step see the record description
     * @param index see the record description
     * @param currentLength see the record description
     * @param currentReward see the record description
     * @param candidate see the record description
     * @param logAlpha see the record description
     * @param accepted see the record description
     * @param state see the record description
     * @param usage see the record description
     */
    public ChainStep {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(usage, "usage");
        if (step < 1) {
            throw new IllegalArgumentException("step must be >= 1, got " + step);
        }
        if (currentLength < 1) {
            throw new IllegalArgumentException("currentLength must be >= 1 (a state has at least one token), got "
                    + currentLength);
        }
        if (index < 0 || index >= currentLength) {
            throw new IllegalArgumentException("index must be in [0, currentLength=" + currentLength + "), got "
                    + index);
        }
    }

    /**
     * Tokens the language model generated for the candidate: {@code |y'| - i}.
     *
     * @return tokens the language model generated for the candidate: {@code |y'| - i}
     */
    public int generatedTokens() {
        return candidate.completion().length() - index;
    }

    /**
     * The resample index relative to the current length, {@code i / |y|} in [0, 1).
     *
     * @return the resample index relative to the current length, {@code i / |y|} in [0, 1)
     */
    public double relativeIndex() {
        return (double) index / currentLength;
    }
}
