package io.github.qalign.model;

import java.util.Objects;

/**
 * Continue {@code prefix} (a completion prefix, possibly empty) after {@code prompt}.
 *
 * @param prompt the prompt
 * @param prefix completion ids to keep; the model samples the continuation after them
 */
public record GenerationRequest(Prompt prompt, TokenIds prefix) {
    /**
     * Validates the components.
     *
     * @param prompt see the record description
     * @param prefix see the record description
     */
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * A fresh sample: empty prefix.
     *
     * @param prompt the prompt
     * @return a request with an empty prefix
     */
    public static GenerationRequest fresh(Prompt prompt) {
        return new GenerationRequest(prompt, TokenIds.empty());
    }
}
