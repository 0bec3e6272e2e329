package io.github.qalign.model;

import java.util.List;
import java.util.Objects;

/**
 * A prompt as the policy sees it, with the conversation it came from.
 *
 * <p>Reward models with their own tokenizer and chat template re-render the prompt from {@link #messages()} (and the
 * policy's completion text), never from the policy's ids.
 *
 * @param text     the prompt as plain text: for a text prompt the text the user wrote (before any chat template),
 *                 for a conversation the content of its last user message (or of its last message when no user
 *                 message exists)
 * @param ids      the policy's input ids for this prompt (chat template applied, BOS included if the model wants it);
 *                 never empty
 * @param messages the conversation the ids were rendered from: {@code [user(text)]} for a text prompt; not empty,
 *                 copied
 */
public record Prompt(String text, TokenIds ids, List<ChatMessage> messages) {
    /**
     * Validates the components.
     *
     * @param text see the record description
     * @param ids see the record description
     * @param messages see the record description
     */
    public Prompt {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(ids, "ids");
        checkMessages(messages);
        messages = List.copyOf(messages);
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("prompt ids are empty for prompt text '" + abbreviate(text) + "'");
        }
    }

    /**
     * A text prompt: one user message holding {@code text}.
     *
     * @param text the prompt text
     * @param ids  the policy's input ids
     */
    public Prompt(String text, TokenIds ids) {
        this(text, ids, List.of(ChatMessage.user(Objects.requireNonNull(text, "text"))));
    }

    /**
     * A prompt rendered from a conversation; {@link #text()} is taken from it as described above.
     *
     * @param messages the conversation, not empty
     * @param ids      the policy's input ids rendered from it
     * @return the prompt
     */
    public static Prompt ofMessages(List<ChatMessage> messages, TokenIds ids) {
        checkMessages(messages);
        return new Prompt(plainText(messages), ids, messages);
    }

    /**
     * The plain text of a conversation: the content of its last user message, or of its last message when it has no
     * user message.
     *
     * @param messages the conversation, not empty
     * @return the text
     */
    public static String plainText(List<ChatMessage> messages) {
        checkMessages(messages);
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals(ChatMessage.USER)) {
                return messages.get(i).content();
            }
        }
        return messages.get(messages.size() - 1).content();
    }

    /**
     * Checks a conversation: not null, not empty, no null message.
     *
     * @param messages the conversation
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkMessages(List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) == null) {
                throw new IllegalArgumentException("message " + i + " of the conversation is null");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
