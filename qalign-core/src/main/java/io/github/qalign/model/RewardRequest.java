package io.github.qalign.model;

import java.util.Objects;

/**
 * A (prompt, completion) pair to score.
 *
 * @param prompt     the prompt (text and the policy's ids)
 * @param completion the policy's completion ids (EOS kept if it stopped on EOS)
 * @param text       the decoded completion text; reward models with their own tokenizer score from this
 */
public record RewardRequest(Prompt prompt, TokenIds completion, String text) {
    /**
     * Validates the components.
     *
     * @param prompt see the record description
     * @param completion see the record description
     * @param text see the record description
     */
    public RewardRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(text, "text");
    }

    /**
     * The request scoring a generation.
     *
     * @param prompt the prompt
     * @param g the generation
     * @return the request scoring a generation
     */
    public static RewardRequest of(Prompt prompt, Generation g) {
        return new RewardRequest(prompt, g.completion(), g.text());
    }
}
