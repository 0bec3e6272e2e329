package io.github.qalign.serve;

import java.util.Map;
import java.util.Objects;

/**
 * A failed API call, answered in OpenAI's error shape:
 * {@code {"error": {"message": ..., "type": ..., "param": ..., "code": ...}}} with the given HTTP status.
 *
 * <p>{@code type} follows OpenAI's names ({@code invalid_request_error}, {@code authentication_error},
 * {@code not_found_error}, {@code server_error}, ...); {@code code} is a short machine-readable reason such as
 * {@code context_length_exceeded}, {@code model_not_found} or {@code budget_exceeds_cap}; {@code param} names the
 * request field at fault (dotted for nested fields, e.g. {@code qalign.budget}), or is null.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Map<String, String> headers;

    /**
     * An API error.
     *
     * @param status  the HTTP status
     * @param type    OpenAI's error type
     * @param param   the request field at fault, or null
     * @param code    the machine-readable reason, or null
     * @param message the human-readable message naming what was expected
     * @param headers extra response headers (e.g. {@code Retry-After})
     */
    public ApiException(int status, String type, String param, String code, String message,
                        Map<String, String> headers) {
        super(Objects.requireNonNull(message, "message"));
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    /**
     * A 400 {@code invalid_request_error}.
     *
     * @param param   the field at fault, or null
     * @param code    the reason code, or null
     * @param message what was wrong and what was expected
     * @return the exception
     */
    public static ApiException badRequest(String param, String code, String message) {
        return new ApiException(400, "invalid_request_error", param, code, message, Map.of());
    }

    /**
     * A 400 for a field of the wrong type or value.
     *
     * @param param   the field at fault
     * @param message what was expected
     * @return the exception
     */
    public static ApiException invalidField(String param, String message) {
        return badRequest(param, "invalid_value", param + ": " + message);
    }

    /**
     * The HTTP status.
     *
     * @return the HTTP status
     */
    public int status() {
        return status;
    }

    /**
     * OpenAI's error type.
     *
     * @return OpenAI's error type
     */
    public String type() {
        return type;
    }

    /**
     * The request field at fault, or null.
     *
     * @return the request field at fault, or null
     */
    public String param() {
        return param;
    }

    /**
     * The machine-readable reason, or null.
     *
     * @return the machine-readable reason, or null
     */
    public String code() {
        return code;
    }

    /**
     * Extra response headers.
     *
     * @return extra response headers
     */
    public Map<String, String> headers() {
        return headers;
    }
}
