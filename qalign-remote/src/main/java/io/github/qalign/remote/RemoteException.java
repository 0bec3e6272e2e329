package io.github.qalign.remote;

import io.github.qalign.model.ModelException;

import java.net.URI;
import java.util.Objects;

/**
 * A model server failed: after the last retry, or at once for a request that is not retried (a 4xx other than 429).
 * The message names the endpoint and path, the HTTP status (or the connection failure) and the first bytes of the
 * response body.
 */
public class RemoteException extends ModelException {
    private static final long serialVersionUID = 1L;

    /** Status recorded when no HTTP response was received (connection error, timeout). */
    public static final int NO_STATUS = -1;

    /** The endpoint of the last attempt. */
    private final transient URI endpoint;
    /** The HTTP status of the last response, or {@link #NO_STATUS}. */
    private final int status;
    /** The first bytes of the last response body. */
    private final String bodyHead;
    /** How many attempts were made. */
    private final int attempts;

    /**
     * An exception describing a failed call.
     *
     * @param endpoint the endpoint (base URL and path) that failed last
     * @param status   the HTTP status of the last response, or {@link #NO_STATUS}
     * @param bodyHead the first bytes of the last response body (may be empty)
     * @param attempts how many attempts were made
     * @param detail   what went wrong
     * @param cause    the underlying failure, or null
     */
    public RemoteException(URI endpoint, int status, String bodyHead, int attempts, String detail, Throwable cause) {
        super(message(endpoint, status, bodyHead, attempts, detail), cause);
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.status = status;
        this.bodyHead = bodyHead == null ? "" : bodyHead;
        this.attempts = attempts;
    }

    private static String message(URI endpoint, int status, String bodyHead, int attempts, String detail) {
        StringBuilder sb = new StringBuilder("model server ").append(endpoint).append(": ").append(detail);
        sb.append(status == NO_STATUS ? " (no HTTP response)" : " (HTTP " + status + ")");
        sb.append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
        if (bodyHead != null && !bodyHead.isEmpty()) {
            sb.append("; body starts: ").append(bodyHead);
        }
        return sb.toString();
    }

    /**
     * The endpoint (base URL and path) of the last attempt.
     *
     * @return the endpoint of the last attempt
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * The HTTP status of the last response, or {@link #NO_STATUS}.
     *
     * @return the HTTP status of the last response, or {@link #NO_STATUS}
     */
    public int status() {
        return status;
    }

    /**
     * The first bytes of the last response body, decoded as UTF-8 (at most {@link RemoteOptions#BODY_HEAD_CHARS}
     * characters).
     *
     * @return the first bytes of the last response body
     */
    public String bodyHead() {
        return bodyHead;
    }

    /**
     * How many attempts were made.
     *
     * @return how many attempts were made
     */
    public int attempts() {
        return attempts;
    }
}
