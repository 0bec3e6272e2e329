package io.github.qalign.tokenizer;

/**
 * A chat template could not be used: it is malformed or over a limit (found when it is created), or it failed while
 * rendering (its own {@code raise_exception(...)}, a syntax or type error, a resource limit, the time budget, or an
 * error of the JVM such as a stack overflow inside the template engine). Every failure of a {@link ChatTemplate} is
 * this one exception; its message starts with the template's name (the {@code tokenizer_config.json} it came from,
 * when it came from a file) and says what went wrong.
 *
 * <p>It extends {@link IllegalArgumentException}: the conversation or the template given is unusable.
 */
public final class ChatTemplateException extends IllegalArgumentException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** What kind of failure. */
    public enum Kind {
        /** The template called {@code raise_exception(message)} (e.g. "Conversation roles must alternate"). */
        RAISED,
        /** The template is malformed (syntax error, unclosed tag, reserved identifier). */
        INVALID,
        /** The template exceeded a {@link TemplateLimits} size, depth or work limit. */
        LIMIT,
        /** The render ran past its wall-clock budget and was stopped. */
        TIMEOUT,
        /** The template engine failed (an error while evaluating, a stack overflow, out of memory). */
        ENGINE
    }

    /** The template's name. */
    private final String template;
    /** The kind of failure. */
    private final Kind kind;
    /** What went wrong. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param template the template's name (file path or a description)
     * @param kind     the kind of failure
     * @param reason   what went wrong
     * @param cause    the underlying throwable, or null
     */
    public ChatTemplateException(String template, Kind kind, String reason, Throwable cause) {
        super("chat template " + template + ": " + reason, cause);
        this.template = template;
        this.kind = kind;
        this.reason = reason;
    }

    /**
     * The template's name: the file it was read from, or a description.
     *
     * @return the name
     */
    public String template() {
        return template;
    }

    /**
     * The kind of failure.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * What went wrong (for {@link Kind#RAISED}: the template's own message).
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }
}
