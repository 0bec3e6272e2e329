package io.github.qalign.djl.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint directory or file is missing, malformed or inconsistent with its configuration. The message always
 * names the offending file and, where relevant, the tensor or JSON field.
 */
public final class CheckpointException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String tensor;
    private final String field;

    /**
     * Creates an exception about a file.
     *
     * @param file    the offending file or directory (may be null when not file-related)
     * @param message what is wrong
     */
    public CheckpointException(Path file, String message) {
        this(file, null, message, null);
    }

    /**
     * Creates an exception about a tensor of a file.
     *
     * @param file    the offending file
     * @param tensor  the tensor name (may be null)
     * @param message what is wrong
     * @param cause   the underlying exception (may be null)
     */
    public CheckpointException(Path file, String tensor, String message, Throwable cause) {
        this(file, tensor, null, message, cause);
    }

    private CheckpointException(Path file, String tensor, String field, String message, Throwable cause) {
        super(format(file, tensor, field, message), cause);
        this.file = file;
        this.tensor = tensor;
        this.field = field;
    }

    /**
     * Creates an exception about one JSON field of a file ({@code config.json}, the shard index, ...).
     *
     * @param file    the offending file
     * @param field   the JSON field (e.g. {@code num_hidden_layers} or {@code rope_scaling.factor})
     * @param message what is wrong and what was expected
     * @return the exception; its message reads {@code <file>: field '<field>': <message>}
     */
    public static CheckpointException field(Path file, String field, String message) {
        return new CheckpointException(file, null, field, message, null);
    }

    private static String format(Path file, String tensor, String field, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        if (field != null) {
            sb.append("field '").append(field).append("': ");
        }
        return sb.append(message).toString();
    }

    /**
     * The offending file or directory.
     *
     * @return the file, or null
     */
    public Path file() {
        return file;
    }

    /**
     * The offending JSON field.
     *
     * @return the field name (dotted for nested fields), or null when the problem is not about one field
     */
    public String field() {
        return field;
    }

    /**
     * The offending tensor.
     *
     * @return the tensor name, or null when the problem is not about one tensor
     */
    public String tensor() {
        return tensor;
    }
}
