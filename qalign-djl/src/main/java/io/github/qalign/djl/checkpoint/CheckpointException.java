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
        super(format(file, tensor, message), cause);
        this.file = file;
        this.tensor = tensor;
    }

    private static String format(Path file, String tensor, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
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
     * The offending tensor.
     *
     * @return the tensor name, or null when the problem is not about one tensor
     */
    public String tensor() {
        return tensor;
    }
}
