package io.github.qalign.tokenizer;

import java.nio.file.Path;

/**
 * A tokenizer file ({@code tokenizer.json}, {@code tokenizer_config.json}) or a chat template is missing, malformed,
 * too large, or failed to render. The message always starts with the offending file (when there is one) and says
 * what was expected.
 */
public final class TokenizerException extends RuntimeException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** What is wrong, without the file name. */
    private final String reason;

    /**
     * Creates an exception about a file.
     *
     * @param file    the offending file (may be null when the input did not come from a file)
     * @param message what is wrong
     */
    public TokenizerException(Path file, String message) {
        this(file, message, null);
    }

    /**
     * Creates an exception about a file with its cause.
     *
     * @param file    the offending file (may be null when the input did not come from a file)
     * @param message what is wrong
     * @param cause   the underlying exception (may be null)
     */
    public TokenizerException(Path file, String message, Throwable cause) {
        super(file == null ? message : file + ": " + message, cause);
        this.file = file;
        this.reason = message;
    }

    /**
     * What is wrong, without the file name.
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }

    /**
     * The offending file.
     *
     * @return the file, or null when the input did not come from a file
     */
    public Path file() {
        return file;
    }
}
