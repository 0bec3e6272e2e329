package io.github.qalign.model;

import java.util.Objects;

/**
 * A prompt as the policy sees it.
 *
 * @param text the prompt as the user wrote it (before any chat template); reward models with their own tokenizer
 *             and template re-render from this text
 * @param ids  the policy's input ids for this prompt (chat template applied, BOS included if the model wants it);
 *             never empty
 */
public record Prompt(String text, TokenIds ids) {
    /**
     * Validates the components.
     *
     * @param text see the record description
     * @param ids see the record description
     */
    public Prompt {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ids, "ids");
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("prompt ids are empty for prompt text '" + abbreviate(text) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
