package io.github.qalign.model;

/** A model broke its contract (wrong batch size, empty or malformed output, a non-finite reward, ...). */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that names the model, the request and the broken rule.
     *
     * @param message the detail message
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * An exception with a message and the underlying failure.
     *
     * @param message the detail message
     * @param cause   the underlying failure
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
