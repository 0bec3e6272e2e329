package io.github.qalign.model;

/** A model broke its contract (wrong batch size, empty or malformed output, a non-finite reward, ...). */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
