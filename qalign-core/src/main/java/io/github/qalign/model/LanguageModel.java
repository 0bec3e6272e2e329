package io.github.qalign.model;

import java.util.List;

/**
 * A policy language model, batch-first.
 *
 * <p>One call continues many requests (different prompts, different prefix lengths) and should run them as one
 * batched computation. Implementations that keep KV state may reuse it for any request whose prompt+prefix they have
 * computed before; callers stay stateless. Every random draw for a request must come from that request's own
 * stream ({@link GenerationRequest#newRandom()}, or the server-side seed for a remote backend), so that a request's
 * output never depends on the other requests in the batch, their order or the thread: the same seed gives the same
 * output.
 *
 * <p>Contract, checked by the samplers (a violation raises {@link ModelException}): the result list has one
 * {@link Generation} per request, in order; each generation's completion starts with the request's prefix, has
 * {@code prefixLength == prefix.length()}, is no longer than {@link SamplingConfig#maxCompletionTokens()}, and its
 * continuation is non-empty unless the prefix already reached the cap.
 */
public interface LanguageModel {

    /**
     * Samples a continuation for every request.
     *
     * @param requests prompts and completion prefixes; not empty
     * @param config   sampling configuration (temperature, total length cap, ...)
     * @return one generation per request, in request order
     */
    List<Generation> generate(List<GenerationRequest> requests, SamplingConfig config);

    /**
     * Encodes a user prompt as this model's input ids (chat template applied where the model has one).
     *
     * @param text the prompt text
     * @return the prompt with its ids
     */
    Prompt prompt(String text);

    /**
     * Encodes a conversation as this model's input ids: the model's chat template over {@code messages}, with the
     * generation prompt for the assistant's reply appended. Message contents are data: they are rendered verbatim,
     * never interpreted as template code.
     *
     * <p>The default handles only a conversation of one user message (as {@link #prompt(String)}); models with a chat
     * template override it.
     *
     * @param messages the conversation, not empty; the last message is usually the user's
     * @return the prompt, with {@link Prompt#messages()} equal to {@code messages}
     * @throws UnsupportedOperationException if this model cannot render such a conversation
     */
    default Prompt prompt(List<ChatMessage> messages) {
        Prompt.checkMessages(messages);
        if (messages.size() == 1 && messages.get(0).role().equals(ChatMessage.USER)) {
            return prompt(messages.get(0).content());
        }
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " has no chat template: only a single user message can be encoded, got " + messages.size()
                + " messages");
    }

    /**
     * Decodes completion ids to text (special tokens not rendered).
     *
     * @param completion the completion ids
     * @return the decoded text
     */
    String decode(TokenIds completion);

    /**
     * Number of parameters, for FLOPs estimates ({@code 2 * params * tokens}); 0 if unknown.
     *
     * @return number of parameters, for FLOPs estimates ({@code 2 * params * tokens}); 0 if unknown
     */
    default long parameterCount() {
        return 0;
    }
}
