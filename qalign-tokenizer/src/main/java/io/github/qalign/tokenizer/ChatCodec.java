package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Text ↔ ids for a model: how a conversation (and, for reward models, a conversation followed by the assistant's
 * completion) is rendered and tokenized, and how ids are decoded. {@link HfChatCodec} implements it with a Hugging
 * Face tokenizer and chat template; tests may plug in simpler codecs.
 */
public interface ChatCodec {

    /**
     * The model's input ids for a conversation, ending with the header that starts the assistant's reply: the chat
     * template with {@code add_generation_prompt} when the model has one, else BOS (if any) followed by the encoded
     * text of a single user message.
     *
     * @param messages the conversation (roles system/user/assistant), not empty
     * @return non-empty ids
     * @throws IllegalArgumentException if the conversation cannot be rendered (e.g. several messages and no template,
     *                                  or the template's {@code raise_exception})
     */
    int[] encodePrompt(List<ChatMessage> messages);

    /**
     * The model's input ids for a single user message.
     *
     * @param userText the prompt text
     * @return non-empty ids
     */
    default int[] encodePrompt(String userText) {
        return encodePrompt(List.of(ChatMessage.user(userText)));
    }

    /**
     * The ids of a conversation followed by the assistant's completion, as a reward model reads it (the chat template
     * over {@code messages + [assistant(completion)]} without a generation prompt).
     *
     * @param messages   the conversation the completion answers, not empty
     * @param completion the assistant's completion text
     * @return non-empty ids
     * @throws IllegalArgumentException if the exchange cannot be rendered
     */
    int[] encodeExchange(List<ChatMessage> messages, String completion);

    /**
     * The ids of a user prompt followed by the assistant's completion.
     *
     * @param userText      the prompt text
     * @param assistantText the completion text
     * @return non-empty ids
     */
    default int[] encodeExchange(String userText, String assistantText) {
        return encodeExchange(List.of(ChatMessage.user(userText)), assistantText);
    }

    /**
     * Decodes ids to text without special tokens.
     *
     * @param ids token ids
     * @return the text
     */
    String decode(int[] ids);

    /**
     * The text {@code ids} add after {@code context} (e.g. a completion after its prompt), special tokens skipped.
     * Unlike {@link #decode(int[])} this keeps a leading space of the continuation, which Llama-style decoders drop at
     * the start of a sequence. The default decodes {@code ids} alone.
     *
     * @param context the ids before (the prompt)
     * @param ids     the continuation
     * @return the continuation's text in context
     */
    default String decodeContinuation(int[] context, int[] ids) {
        return decode(ids);
    }

    /**
     * {@code messages} followed by an assistant message.
     *
     * @param messages   the conversation
     * @param completion the assistant's text
     * @return a new list
     */
    static List<ChatMessage> withAssistant(List<ChatMessage> messages, String completion) {
        List<ChatMessage> all = new ArrayList<>(messages.size() + 1);
        all.addAll(messages);
        all.add(ChatMessage.assistant(completion));
        return all;
    }
}
