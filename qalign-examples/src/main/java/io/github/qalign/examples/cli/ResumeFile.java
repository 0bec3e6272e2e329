package io.github.qalign.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an earlier, possibly interrupted, {@code qalign sample} output file holds: its settings line, the result
 * lines of the prompts it finished (prompt indices 0, 1, ..., k-1 in order), where the last finished prompt ends,
 * and whether the run completed (a summary line).
 *
 * <p>A trailing line without its {@code \n} (a write cut by SIGKILL) and the lines of a prompt without its result
 * line are not part of a finished prompt: {@link #keepBytes()} ends before them.
 *
 * @param settings   the settings line
 * @param results    the result line of every finished prompt, in prompt order
 * @param keepBytes  byte length of the settings line and the finished prompts' lines
 * @param complete   true when the file ends with a summary line after its last prompt
 */
record ResumeFile(ObjectNode settings, List<JsonNode> results, long keepBytes, boolean complete) {

    /** Longest line read (a line of one chain step or sample is far shorter). */
    static final int MAX_LINE_BYTES = 64 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The file to continue under {@code --resume}: read, checked against this run's settings and against the chunk
     * size its results were written in.
     *
     * @param cl        the command line, for usage errors
     * @param output    the existing, non-empty output file
     * @param settings  this run's settings line
     * @param chunk     this run's chunk size
     * @param unit      what a result is ("prompts", "items"), for the message
     * @param chunkFlag the chunk-size option ("--chunk-prompts"), for the message
     * @return the file's state
     * @throws picocli.CommandLine.ParameterException naming the problem
     */
    static ResumeFile forResume(picocli.CommandLine cl, Path output, ObjectNode settings, int chunk, String unit,
                                String chunkFlag) {
        ResumeFile r;
        try {
            r = read(output);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cl, "--resume: " + e.getMessage());
        }
        String diff = SampleSettings.difference(r.settings(), settings);
        if (diff != null) {
            throw new picocli.CommandLine.ParameterException(cl, "--resume: " + output
                    + " was written with other settings: " + diff
                    + " (run with the file's settings, or use --force to replace it)");
        }
        if (!r.complete() && r.results().size() % chunk != 0) {
            throw new picocli.CommandLine.ParameterException(cl, "--resume: " + output + " holds "
                    + r.results().size() + " finished " + unit + ", not a multiple of " + chunkFlag + " " + chunk
                    + " (was it edited?)");
        }
        return r;
    }

    /**
     * Reads an output file.
     *
     * @param file the file
     * @return what it holds
     * @throws IllegalArgumentException naming the file and line when it is not a {@code qalign sample} output
     * @throws UncheckedIOException when it cannot be read
     */
    static ResumeFile read(Path file) {
        ObjectNode settings = null;
        List<JsonNode> results = new ArrayList<>();
        long keep = 0;
        long offset = 0;
        boolean complete = false;
        int lineNo = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                offset++;
                if (b != '\n') {
                    if (line.size() >= MAX_LINE_BYTES) {
                        throw new IllegalArgumentException(file + ":" + (lineNo + 1) + ": line longer than "
                                + MAX_LINE_BYTES + " bytes");
                    }
                    line.write(b);
                    continue;
                }
                lineNo++;
                String where = file + ":" + lineNo;
                JsonNode node;
                try {
                    node = JSON.readTree(line.toString(StandardCharsets.UTF_8));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
                }
                line.reset();
                String type = node != null && node.isObject() && node.path("type").isTextual()
                        ? node.get("type").asText() : "";
                if (settings == null) {
                    if (!type.equals("settings")) {
                        throw new IllegalArgumentException(where + ": expected the settings line of a 'qalign "
                                + "sample' output, found " + (type.isEmpty() ? "something else" : "type " + type));
                    }
                    settings = (ObjectNode) node;
                    keep = offset;
                    continue;
                }
                if (complete) {
                    throw new IllegalArgumentException(where + ": a line after the summary line");
                }
                switch (type) {
                    case "sample", "step" -> {
                    }
                    case "result" -> {
                        int idx = node.path("prompt_index").asInt(-1);
                        if (idx != results.size()) {
                            throw new IllegalArgumentException(where + ": result of prompt_index "
                                    + node.path("prompt_index") + ", expected " + results.size());
                        }
                        results.add(node);
                        keep = offset;
                    }
                    case "summary" -> {
                        complete = true;
                        keep = offset;
                    }
                    default -> throw new IllegalArgumentException(where + ": unexpected line type '" + type + "'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (settings == null) {
            throw new IllegalArgumentException(file + ": no complete settings line (not an output file of qalign "
                    + "sample, eval or overopt)");
        }
        return new ResumeFile(settings, List.copyOf(results), keep, complete);
    }
}
