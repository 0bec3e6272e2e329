package io.github.qalign.remote;

/**
 * A response that arrived but is not what the protocol promises (malformed JSON, a missing or out-of-range field,
 * the wrong number of choices). Thrown by response parsers inside the retry loop: the call is retried (on another
 * endpoint when the fleet has one) and, after the last attempt, reported as a {@link RemoteException}.
 */
public final class InvalidResponseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception naming the field at fault and what was expected.
     *
     * @param message the detail message
     */
    public InvalidResponseException(String message) {
        super(message);
    }

    /**
     * An exception naming the field at fault, with its cause.
     *
     * @param message the detail message
     * @param cause   the underlying failure
     */
    public InvalidResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
