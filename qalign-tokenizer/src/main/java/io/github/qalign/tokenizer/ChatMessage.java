package io.github.qalign.tokenizer;

import java.util.Objects;

/**
 * One turn of a conversation rendered by a {@link ChatTemplate}.
 *
 * @param role    {@code system}, {@code user} or {@code assistant} (templates may accept others)
 * @param content the message text
 */
public record ChatMessage(String role, String content) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if role or content is null
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    /**
     * A user message.
     *
     * @param content text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /**
     * An assistant message.
     *
     * @param content text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * A system message.
     *
     * @param content text
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }
}
