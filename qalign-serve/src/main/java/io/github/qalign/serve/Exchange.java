package io.github.qalign.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One HTTP request as the endpoints see it: the parsed JSON body, headers, the fields for the access log, and a way
 * to switch the response to server-sent events.
 */
final class Exchange {

    final String method;
    final String path;
    final String requestId;
    private final Function<String, String> headers;
    private final Supplier<ObjectNode> body;
    private final SseOpener sse;
    final Map<String, Object> log = new LinkedHashMap<>();
    private OutputStream sseStream;

    /** Opens the response as a text/event-stream and returns its stream. */
    interface SseOpener {
        OutputStream open() throws IOException;
    }

    Exchange(String method, String path, String requestId, Function<String, String> headers,
             Supplier<ObjectNode> body, SseOpener sse) {
        this.method = method;
        this.path = path;
        this.requestId = requestId;
        this.headers = headers;
        this.body = body;
        this.sse = sse;
    }

    /** The request body as a JSON object (400 if absent, malformed or not an object; 413 if too large). */
    ObjectNode body() {
        return body.get();
    }

    /** A request header, or null. */
    String header(String name) {
        return headers.apply(name);
    }

    /** Whether the response was switched to server-sent events. */
    boolean streaming() {
        return sseStream != null;
    }

    /** Sends one server-sent event (switching the response to text/event-stream on the first one). */
    void event(ObjectMapper json, String event, ObjectNode data) {
        try {
            if (sseStream == null) {
                sseStream = sse.open();
            }
            String s = "event: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n";
            sseStream.write(s.getBytes(StandardCharsets.UTF_8));
            sseStream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("client went away while streaming progress", e);
        }
    }

    /** Ends an event stream with {@code data: [DONE]}. */
    void endEvents() {
        try {
            sseStream.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            sseStream.close();
        } catch (IOException e) {
            throw new UncheckedIOException("client went away while streaming progress", e);
        }
    }
}
