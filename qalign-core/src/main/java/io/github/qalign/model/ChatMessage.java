package io.github.qalign.model;

import java.util.Objects;

/**
 * One message of a conversation, as chat templates and OpenAI-compatible APIs see it.
 *
 * <p>The content is data: templates render it verbatim (a {@code {{ 7*7 }}} in a message reaches the model as those
 * nine characters, never as {@code 49}).
 *
 * @param role    the speaker: {@value #SYSTEM}, {@value #USER} or {@value #ASSISTANT} (other roles such as
 *                {@code tool} are passed through to templates that know them); not blank
 * @param content the text of the message; may be empty
 */
public record ChatMessage(String role, String content) {

    /** The system role. */
    public static final String SYSTEM = "system";
    /** The user role. */
    public static final String USER = "user";
    /** The assistant role. */
    public static final String ASSISTANT = "assistant";

    /**
     * Validates the components.
     *
     * @param role    see the record description
     * @param content see the record description
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("chat message role is blank");
        }
    }

    /**
     * A system message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage(SYSTEM, content);
    }

    /**
     * A user message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage(USER, content);
    }

    /**
     * An assistant message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(ASSISTANT, content);
    }
}
