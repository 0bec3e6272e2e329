package io.github.qalign.eval.ifeval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.qalign.eval.data.Datasets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line scorer: accuracies printed, per-item results written, bad input named. */
class IfEvalScorerTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return IfEvalScorer.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    private static String line(String prompt, String response) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("prompt", prompt);
        n.put("response", response);
        return n.toString();
    }

    @Test
    void scoresTwoResponsesAndWritesPerItemResults() throws IOException {
        IfEvalItem noComma = Datasets.ifeval().stream()
                .filter(i -> i.instructionIds().equals(List.of("punctuation:no_comma"))).findFirst().orElseThrow();
        Path in = write("responses.jsonl", List.of(
                line(noComma.prompt(), "No commas here at all."),
                line(noComma.prompt(), "Sure, here it is")));
        assertThat(run(in.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("prompts: 2, instructions: 2")
                .contains("prompt-level strict accuracy:       50.00%")
                .contains("instruction-level loose accuracy:   50.00%");
        List<String> results = Files.readAllLines(dir.resolve("responses.results.jsonl"));
        assertThat(results).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(results.get(0));
        assertThat(first.get("key").asInt()).isEqualTo(noComma.key());
        assertThat(first.get("follow_all_instructions_strict").asBoolean()).isTrue();
        assertThat(new ObjectMapper().readTree(results.get(1)).get("follow_instruction_list_loose").get(0).asBoolean())
                .isFalse();
    }

    @Test
    void unknownPromptIsNamedWithFileAndLine() throws IOException {
        Path in = write("bad.jsonl", List.of(line("not an IFEval prompt", "x")));
        assertThat(run(in.toString(), dir.resolve("r.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.jsonl line 1").contains("not one of the 541");
        assertThat(dir.resolve("r.jsonl")).doesNotExist();
    }

    @Test
    void malformedLineAndMissingFieldAreNamed() throws IOException {
        Path in = write("broken.jsonl", List.of("{\"prompt\": 3}"));
        assertThat(run(in.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("broken.jsonl line 1").contains("'prompt'");
        Path json = write("nojson.jsonl", List.of("{oops"));
        assertThat(run(json.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nojson.jsonl line 1").contains("not valid JSON");
    }

    @Test
    void usageAndMissingFile() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("--help")).isEqualTo(2);
        assertThat(run(dir.resolve("absent.jsonl").toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("absent.jsonl");
    }
}
