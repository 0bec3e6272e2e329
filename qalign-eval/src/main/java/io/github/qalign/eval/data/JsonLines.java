package io.github.qalign.eval.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.zip.GZIPInputStream;

/**
 * Reads the gzipped JSON-lines resources shipped with this module.
 */
final class JsonLines {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String BASE = "/io/github/qalign/eval/data/";

    private JsonLines() {
    }

    /**
     * Every line of a bundled {@code .jsonl.gz} resource, mapped.
     *
     * @param name   the resource file name, e.g. {@code "gsm8k-test.jsonl.gz"}
     * @param mapper maps (line index from 0, parsed line) to an item; it may throw IllegalArgumentException
     * @return the items in file order
     */
    static <T> List<T> read(String name, BiFunction<Integer, JsonNode, T> mapper) {
        String path = BASE + name;
        try (InputStream raw = JsonLines.class.getResourceAsStream(path)) {
            if (raw == null) {
                throw new IllegalStateException("dataset resource " + path + " is missing from the class path");
            }
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            List<T> out = new ArrayList<>();
            String line;
            int i = 0;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(mapper.apply(i, MAPPER.readTree(line)));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("dataset " + path + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
                i++;
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading dataset " + path, e);
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return v.asText();
    }

    static int integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer");
        }
        return v.asInt();
    }

    static List<String> texts(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException("field '" + field + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new IllegalArgumentException("field '" + field + "' must hold strings");
            }
            out.add(e.asText());
        }
        return out;
    }
}
