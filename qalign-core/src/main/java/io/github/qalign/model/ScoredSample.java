package io.github.qalign.model;

import java.util.Objects;

/**
 * A completion with its reward: one independent sample, or one state of a QAlign chain (a rejected step repeats the
 * previous state, and the repeat counts as a sample). Selectors consume lists of these.
 *
 * @param completion   the completion ids
 * @param text         the decoded completion text
 * @param reward       r(x, y), finite
 * @param finishReason why the completion ended
 */
public record ScoredSample(TokenIds completion, String text, double reward, FinishReason finishReason) {
    /**
     * Validates the components.
     *
     * @param completion see the record description
     * @param text see the record description
     * @param reward see the record description
     * @param finishReason see the record description
     */
    public ScoredSample {
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward + " for '" + text + "'");
        }
    }
}
