package io.github.qalign.sampler;

import io.github.qalign.model.FinishReason;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.model.TokenIds;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A given initial state {@code y^0} for a chain (a warm start), e.g. the last state of an earlier run, as the authors'
 * code "bootstraps" a longer chain from a shorter one. The state is a completion in the policy's ids (prompt
 * excluded, EOS kept when it stopped on EOS), with or without its reward; without one, the sampler scores it (counted
 * in the chain's initial usage).
 *
 * <p>The start changes only where the chain begins, never its stationary distribution: the MH kernel is the same. A
 * start outside the support of {@code p_LM} (e.g. text the policy would never produce) is left as soon as an index-0
 * proposal is accepted, but can take long: prefer states the policy produced.
 *
 * @param completion   the completion ids; not empty, at most the run's total cap
 * @param text         its decoded text (reward models with their own tokenizer score from it)
 * @param finishReason why it ended
 * @param reward       its reward under the run's reward model, if known (finite); empty: the sampler scores it
 */
public record WarmStart(TokenIds completion, String text, FinishReason finishReason, OptionalDouble reward) {
    /**
     * Validates the components.
     *
     * @param completion   see the record description
     * @param text         see the record description
     * @param finishReason see the record description
     * @param reward       see the record description
     */
    public WarmStart {
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(reward, "reward");
        if (completion.isEmpty()) {
            throw new IllegalArgumentException("a warm-start completion must have at least one token (EOS counts)");
        }
        if (reward.isPresent() && !Double.isFinite(reward.getAsDouble())) {
            throw new IllegalArgumentException("a warm-start reward must be finite, got " + reward.getAsDouble());
        }
    }

    /**
     * A scored state, e.g. a state of an earlier chain with the same reward model; not re-scored.
     *
     * @param sample the state with its reward
     * @return the warm start
     */
    public static WarmStart of(ScoredSample sample) {
        Objects.requireNonNull(sample, "sample");
        return new WarmStart(sample.completion(), sample.text(), sample.finishReason(),
                OptionalDouble.of(sample.reward()));
    }

    /**
     * An unscored state: the sampler scores it once before the first step.
     *
     * @param completion   the completion ids
     * @param text         its decoded text
     * @param finishReason why it ended
     * @return the warm start
     */
    public static WarmStart unscored(TokenIds completion, String text, FinishReason finishReason) {
        return new WarmStart(completion, text, finishReason, OptionalDouble.empty());
    }

    /** The state with the given reward. */
    ScoredSample withReward(double r) {
        return new ScoredSample(completion, text, r, finishReason);
    }
}
