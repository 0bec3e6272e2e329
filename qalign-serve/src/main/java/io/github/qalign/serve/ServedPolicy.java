package io.github.qalign.serve;

import io.github.qalign.model.LanguageModel;
import java.util.Objects;

/**
 * The policy a {@link QalignServer} serves.
 *
 * @param name          the model id clients name in {@code "model"} (as {@code /v1/models} lists it)
 * @param model         the language model (in-process or remote); the server wraps it in its batching queue
 * @param codec         its raw tokenizer
 * @param contextLength positions per sequence: prompt tokens plus {@code max_tokens} must fit
 */
public record ServedPolicy(String name, LanguageModel model, TextCodec codec, int contextLength) {
    /**
     * Validates the components.
     *
     * @param name          see the record description
     * @param model         see the record description
     * @param codec         see the record description
     * @param contextLength see the record description
     */
    public ServedPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(codec, "codec");
        if (name.isBlank()) {
            throw new IllegalArgumentException("policy name is blank");
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be > 0, got " + contextLength);
        }
    }
}
