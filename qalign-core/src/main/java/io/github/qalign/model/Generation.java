package io.github.qalign.model;

import java.util.Objects;

/**
 * The result of one {@link GenerationRequest}.
 *
 * @param completion   the whole completion: the request's prefix followed by the sampled continuation; the EOS id
 *                     is kept as the last id when {@code finishReason == EOS}
 * @param prefixLength how many leading ids of {@code completion} were the request's prefix
 * @param text         the decoded text of the whole completion (special tokens such as EOS not rendered)
 * @param finishReason why sampling stopped
 * @param usage        what this request cost the model
 */
public record Generation(TokenIds completion, int prefixLength, String text, FinishReason finishReason,
                         TokenUsage usage) {
    /**
     * Validates the components.
     *
     * @param completion see the record description
     * @param prefixLength see the record description
     * @param text see the record description
     * @param finishReason see the record description
     * @param usage see the record description
     */
    public Generation {
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        if (prefixLength < 0 || prefixLength > completion.length()) {
            throw new IllegalArgumentException(
                    "prefixLength " + prefixLength + " outside [0, " + completion.length() + "]");
        }
    }

    /**
     * The sampled continuation (ids after the prefix).
     *
     * @return the sampled continuation (ids after the prefix)
     */
    public TokenIds continuation() {
        return completion.slice(prefixLength, completion.length());
    }
}
