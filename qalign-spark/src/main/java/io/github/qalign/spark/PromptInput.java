package io.github.qalign.spark;

import io.github.qalign.model.ChatMessage;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One prompt of a job.
 *
 * @param id        the prompt's identity: with the job's seed it fixes every random draw of the prompt, so it must be
 *                  unique in the input (duplicates get identical samples)
 * @param messages  the conversation; a plain prompt is one user message
 * @param reference the reference answer, or null when the input has none
 */
public record PromptInput(String id, List<ChatMessage> messages, String reference) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Validates the components.
     *
     * @param id        see the record description
     * @param messages  see the record description
     * @param reference see the record description
     */
    public PromptInput {
        Objects.requireNonNull(id, "id");
        messages = List.copyOf(messages);
    }
}
