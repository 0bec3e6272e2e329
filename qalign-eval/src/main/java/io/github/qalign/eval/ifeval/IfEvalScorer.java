package io.github.qalign.eval.ifeval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.eval.data.Datasets;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores a file of responses to IFEval prompts and writes per-item results: {@code IfEvalScorer RESPONSES.jsonl
 * [RESULTS.jsonl]}.
 *
 * <p>Each input line is a JSON object with {@code prompt} (one of the 541 IFEval prompts, verbatim) and
 * {@code response}, as in the reference's {@code input_response_data_*.jsonl}. Each output line holds the item's
 * {@code key}, {@code prompt}, {@code instruction_id_list}, {@code follow_instruction_list_strict},
 * {@code follow_all_instructions_strict} and the two {@code _loose} equivalents. The four accuracies are printed.
 * The default results file is the input's name with {@code .results.jsonl}.
 */
public final class IfEvalScorer {

    /** Longest input line accepted (a response far longer than any model writes in one answer). */
    static final int MAX_LINE_CHARS = 8 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, IfEvalItem> byPrompt = new HashMap<>();

    /**
     * A scorer for the given IFEval items.
     *
     * @param items the items responses may answer, e.g. {@link Datasets#ifeval()}
     */
    public IfEvalScorer(List<IfEvalItem> items) {
        for (IfEvalItem item : items) {
            byPrompt.put(item.prompt(), item);
        }
    }

    /**
     * Scores every line of a response file and writes the per-item results.
     *
     * @param responses the JSONL file of {@code prompt}/{@code response} objects
     * @param results   the JSONL file to write
     * @return the per-item results, in input order
     * @throws IllegalArgumentException naming the file and line, for a malformed line or a prompt that is not an
     *                                  IFEval prompt
     * @throws UncheckedIOException     if a file cannot be read or written
     */
    public List<IfEvalResult> score(Path responses, Path results) {
        List<IfEvalResult> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(responses, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(results, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            String line;
            while ((line = readBoundedLine(in)) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String where = responses + " line " + lineNo;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
                }
                String prompt = field(node, "prompt", where);
                String response = field(node, "response", where);
                IfEvalItem item = byPrompt.get(prompt);
                if (item == null) {
                    throw new IllegalArgumentException(where + ": 'prompt' is not one of the " + byPrompt.size()
                            + " IFEval prompts: \"" + abbreviate(prompt) + "\"");
                }
                IfEvalResult r = IfEvalEvaluator.evaluate(item, response);
                out.add(r);
                w.write(JSON.writeValueAsString(resultJson(item, r)));
                w.write('\n');
            }
        } catch (IOException e) {
            deleteQuietly(results);
            throw new UncheckedIOException("scoring " + responses + " into " + results, e);
        } catch (IllegalArgumentException e) {
            deleteQuietly(results); // no partial results file next to an error
            throw e;
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(responses + ": no responses to score");
        }
        return out;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the error being reported matters more than a leftover file
        }
    }

    private static String readBoundedLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE_CHARS) {
                throw new IllegalArgumentException("input line longer than " + MAX_LINE_CHARS + " characters");
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String field(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": field '" + name + "' must be a string");
        }
        return v.asText();
    }

    private static ObjectNode resultJson(IfEvalItem item, IfEvalResult r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("key", item.key());
        o.put("prompt", item.prompt());
        ArrayNode ids = o.putArray("instruction_id_list");
        r.instructionIds().forEach(ids::add);
        ArrayNode strict = o.putArray("follow_instruction_list_strict");
        r.strict().forEach(strict::add);
        o.put("follow_all_instructions_strict", r.allStrict());
        ArrayNode loose = o.putArray("follow_instruction_list_loose");
        r.loose().forEach(loose::add);
        o.put("follow_all_instructions_loose", r.allLoose());
        return o;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    /**
     * Command line: {@code IfEvalScorer RESPONSES.jsonl [RESULTS.jsonl]}; exit status 0 on success, 1 on bad input,
     * 2 on bad usage.
     *
     * @param args the response file and optionally the results file
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The command line without exiting, for tests and for embedding in another command.
     *
     * @param args the response file and optionally the results file
     * @param out  where the accuracies are printed
     * @param err  where errors are printed
     * @return the exit status: 0 success, 1 bad input, 2 bad usage
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Objects.requireNonNull(args, "args");
        if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
            err.println("usage: IfEvalScorer RESPONSES.jsonl [RESULTS.jsonl]");
            err.println("  RESPONSES.jsonl: one {\"prompt\": ..., \"response\": ...} object per line");
            return 2;
        }
        Path in = Path.of(args[0]);
        Path results = args.length == 2 ? Path.of(args[1])
                : in.resolveSibling(in.getFileName().toString().replaceFirst("\\.jsonl$", "") + ".results.jsonl");
        try {
            List<IfEvalResult> r = new IfEvalScorer(Datasets.ifeval()).score(in, results);
            out.print(IfEvalAccuracy.of(r).report());
            out.println("per-item results: " + results);
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
