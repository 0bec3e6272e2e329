package io.github.qalign.sampler;

import io.github.qalign.model.Prompt;
import java.util.Objects;

/**
 * A prompt with the key that, together with the run seed, determines every random draw of its chains or samples
 * (see {@link RandomStreams}). Results for a prompt depend only on (seed, key), never on the other prompts of the run,
 * their order, the batch size, the partitioning or the thread.
 *
 * <p>Use {@link #of(Prompt)} (the key is a hash of the prompt's ids and messages, so the same prompt text gives the
 * same results wherever it appears) or {@link #of(Prompt, String)} with a stable id from the input (e.g. the id column
 * of a JSONL file), which distributed runs and resumed runs should prefer: two different rows with the same content
 * then still get independent streams. Prompts with equal keys get identical streams, hence identical chains.
 *
 * @param prompt the prompt
 * @param key    the prompt's key
 */
public record KeyedPrompt(Prompt prompt, long key) {
    /**
     * Validates the components.
     *
     * @param prompt see the record description
     * @param key    see the record description
     */
    public KeyedPrompt {
        Objects.requireNonNull(prompt, "prompt");
    }

    /**
     * A prompt keyed by its content ({@link RandomStreams#keyOf(Prompt)}).
     *
     * @param prompt the prompt
     * @return the keyed prompt
     */
    public static KeyedPrompt of(Prompt prompt) {
        Objects.requireNonNull(prompt, "prompt");
        return new KeyedPrompt(prompt, RandomStreams.keyOf(prompt));
    }

    /**
     * A prompt keyed by a user-supplied id ({@link RandomStreams#keyOfId(String)}).
     *
     * @param prompt the prompt
     * @param id     a stable id of the prompt, e.g. from the input file
     * @return the keyed prompt
     */
    public static KeyedPrompt of(Prompt prompt, String id) {
        Objects.requireNonNull(prompt, "prompt");
        return new KeyedPrompt(prompt, RandomStreams.keyOfId(id));
    }
}
