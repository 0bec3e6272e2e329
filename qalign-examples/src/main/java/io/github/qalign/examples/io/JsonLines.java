package io.github.qalign.examples.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Objects;

/** Writes one compact JSON object per line. Not thread-safe. */
public final class JsonLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;

    /** @param out where the lines go (flushed after each line) */
    public JsonLines(PrintWriter out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** A new empty object to fill and {@link #write}. */
    public ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** Writes {@code node} as one line. */
    public void write(ObjectNode node) {
        out.println(node.toString());
        out.flush();
    }
}
