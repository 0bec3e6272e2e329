package io.github.qalign.serve.batch;

/** The request's deadline ({@link Deadline}) passed before its model work finished. */
public final class RequestTimeoutException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A timeout.
     *
     * @param message what timed out
     */
    public RequestTimeoutException(String message) {
        super(message);
    }
}
