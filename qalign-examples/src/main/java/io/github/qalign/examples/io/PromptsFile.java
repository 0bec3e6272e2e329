package io.github.qalign.examples.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes prompt files: JSON lines, one object per line with a non-empty string field {@code "prompt"}
 * (other fields are ignored; blank lines are skipped).
 */
public final class PromptsFile {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompts file not found: " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read prompts file " + file + ": " + e.getMessage());
        }
        List<String> prompts = new ArrayList<>();
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
            JsonNode p = node == null ? null : node.get("prompt");
            if (p == null || !p.isTextual()) {
                throw new IllegalArgumentException(where + ": expected an object with a string field \"prompt\"");
            }
            if (p.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": \"prompt\" is blank");
            }
            prompts.add(p.asText());
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
