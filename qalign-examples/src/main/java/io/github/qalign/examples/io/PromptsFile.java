package io.github.qalign.examples.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes prompt files: JSON lines, one object per line with a non-empty string field {@code "prompt"}
 * (other fields, such as an {@code "id"}, are kept by {@link #readEntries(Path)}; blank lines are skipped). Files
 * larger than {@link #MAX_BYTES} are refused before they are read.
 */
public final class PromptsFile {

    /** The largest prompts file read: 256 MiB. */
    public static final long MAX_BYTES = 256L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One line of a prompts file.
     *
     * @param prompt the prompt text
     * @param fields the line's other fields ({@code "prompt"} removed), in file order; empty for inline prompts
     */
    public record Entry(String prompt, ObjectNode fields) {
        public Entry {
            java.util.Objects.requireNonNull(prompt, "prompt");
            fields = fields == null ? JSON.createObjectNode() : fields.deepCopy();
        }

        /** A prompt without other fields. */
        public static Entry of(String prompt) {
            return new Entry(prompt, null);
        }

        @Override
        public ObjectNode fields() {
            return fields.deepCopy();
        }
    }

    private PromptsFile() {
    }

    /**
     * Reads the prompts of a file.
     *
     * @param file the JSONL file
     * @return the prompts in file order, at least one
     * @throws IllegalArgumentException naming the file (and line) if it is missing, unreadable, malformed or empty
     */
    public static List<String> read(Path file) {
        return readEntries(file).stream().map(Entry::prompt).toList();
    }

    /**
     * Reads the prompts of a file with their other fields.
     *
     * @param file the JSONL file
     * @return the entries in file order, at least one
     * @throws IllegalArgumentException naming the file (and line) if it is missing, unreadable, too large,
     *                                  malformed or empty
     */
    public static List<Entry> readEntries(Path file) {
        List<String> lines;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException("prompts file " + file + " is " + size + " bytes, more than the "
                        + MAX_BYTES + " bytes read");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("prompts file " + file + " is not valid UTF-8");
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompts file not found: " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read prompts file " + file + ": " + e.getMessage());
        }
        List<Entry> prompts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + ": expected an object with a string field \"prompt\"");
            }
            JsonNode p = node.get("prompt");
            if (p == null || !p.isTextual()) {
                throw new IllegalArgumentException(where + ": expected an object with a string field \"prompt\"");
            }
            if (p.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": \"prompt\" is blank");
            }
            ObjectNode fields = ((ObjectNode) node).deepCopy();
            fields.remove("prompt");
            prompts.add(new Entry(p.asText(), fields));
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts file " + file + " holds no prompt");
        }
        return List.copyOf(prompts);
    }

    /** Writes prompts as JSON lines {@code {"prompt": ...}}. */
    public static void write(List<String> prompts, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String p : prompts) {
            lines.add(JSON.createObjectNode().put("prompt", p).toString());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
