package io.github.qalign.model;

import java.util.Objects;

/**
 * A reward model's score of one request.
 *
 * @param value the reward r(x, y); must be finite
 * @param usage tokens the reward model computed or reused for this request
 */
public record Reward(double value, TokenUsage usage) {
    /**
     * Validates the components.
     *
     * @param value see the record description
     * @param usage see the record description
     */
    public Reward {
        Objects.requireNonNull(usage, "usage");
    }

    /**
     * A reward with no usage accounted.
     *
     * @param value the reward
     * @return a reward with no usage accounted
     */
    public static Reward of(double value) {
        return new Reward(value, TokenUsage.ZERO);
    }
}
