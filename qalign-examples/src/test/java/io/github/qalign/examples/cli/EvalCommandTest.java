package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.eval.data.Datasets;
import io.github.qalign.eval.ifeval.IfEvalItem;
import io.github.qalign.examples.models.Checkpoints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qalign eval} end to end on the embedded stories260K policy and reward model, two items of each of the five
 * datasets, budget 2, 8 tokens (the numbers mean nothing; the pipeline, resume, sharding and outputs are tested).
 */
class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static Path full;
    private static CliRun fullRun;

    private static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", "--dataset", "all", "--limit", "2", "--budget", "2",
                "--max-tokens", "8", "--max-prompt-tokens", "200", "--beta", "1", "--seed", "3", "--no-progress",
                "--baseline-policy", Checkpoints.embeddedPolicy().toString()));
        a.addAll(Arrays.asList(extra));
        return a.toArray(new String[0]);
    }

    @BeforeAll
    static void runOnce() {
        full = dir.resolve("full.jsonl");
        fullRun = CliRun.run(new DjlModelFactory(), args("-o", full.toString()));
    }

    private static List<JsonNode> lines(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static String read(Path f) throws IOException {
        return Files.readString(f, StandardCharsets.UTF_8);
    }

    @Test
    void runsEveryDatasetAndMethodAndWritesTheReports() throws IOException {
        assertThat(fullRun.code()).as(fullRun.err()).isZero();
        List<JsonNode> l = lines(full);
        assertThat(l.get(0).get("type").asText()).isEqualTo("settings");
        assertThat(l.get(0).get("format").asText()).isEqualTo("qalign-eval");
        assertThat(l).hasSize(1 + 10 + 1);
        assertThat(l.get(11).get("type").asText()).isEqualTo("summary");
        List<String> datasets = l.subList(1, 11).stream().map(n -> n.get("dataset").asText()).distinct().toList();
        assertThat(datasets).containsExactly("math500", "gsm8k", "truthfulqa", "mmlu-redux", "ifeval");
        for (JsonNode r : l.subList(1, 11)) {
            assertThat(r.get("type").asText()).isEqualTo("result");
            assertThat(r.get("prompt_tokens").asInt()).isBetween(1, 200);
            // four methods on the policy, majority vote on the baseline
            assertThat(r.get("runs")).hasSize(5);
            for (JsonNode run : r.get("runs")) {
                assertThat(run.get("budgets").toString()).isEqualTo("[1,2]");
                boolean mv = run.get("method").asText().equals("mv");
                for (int i = 0; i < 2; i++) {
                    assertThat(run.get("lm_flops").get(i).asDouble()).isPositive();
                    // FLOPs = 2 x parameters x computed tokens; majority vote never runs the reward model
                    assertThat(run.get("lm_flops").get(i).asDouble())
                            .isEqualTo(2.0 * 260_032 * run.get("lm_tokens").get(i).asLong());
                    assertThat(run.get("rm_flops").get(i).asDouble() == 0).isEqualTo(mv);
                }
                // compute grows with the budget
                assertThat(run.get("lm_flops").get(1).asDouble()).isGreaterThan(run.get("lm_flops").get(0)
                        .asDouble());
            }
        }
        // the MMLU-Redux prompts are longer than 200 stories260K tokens: cut to fit (--max-prompt-tokens), GSM8K's not
        assertThat(l.subList(1, 11)).filteredOn(r -> r.get("dataset").asText().equals("mmlu-redux"))
                .allMatch(r -> r.get("prompt_truncated").asBoolean());
        assertThat(l.subList(1, 11)).filteredOn(r -> r.get("dataset").asText().equals("gsm8k"))
                .noneMatch(r -> r.get("prompt_truncated").asBoolean());
        Path prefix = dir.resolve("full");
        String csv = read(Path.of(prefix + ".accuracy.csv"));
        String[] rows = csv.split("\n");
        // (5 datasets + average) x (4 policy methods + baseline MV) x 2 budgets
        assertThat(rows).hasSize(1 + 6 * 5 * 2);
        assertThat(rows[0]).startsWith("dataset,policy,model,method,budget,items,accuracy,accuracy_se,error");
        assertThat(rows[1]).startsWith("math500,policy,stories260K,bon,1,2,");
        assertThat(rows[rows.length - 1]).startsWith("average,baseline,");
        String md = read(Path.of(prefix + ".table1.md"));
        assertThat(md).startsWith("| Model | Method | Budget | MATH500 | GSM8K | TQA | MMLU-Redux | IFEval (prompt "
                + "loose) | Avg |\n");
        assertThat(md.lines().filter(x -> x.startsWith("| stories260K |"))).hasSize(4);
        assertThat(md.lines().filter(x -> x.startsWith("| "))).hasSize(1 + 5);
        assertThat(fullRun.out()).contains(md);
        assertThat(read(Path.of(prefix + ".table1.csv")).split("\n")).hasSize(1 + 5);
        BufferedImage f1 = ImageIO.read(Path.of(prefix + ".figure1.png").toFile());
        BufferedImage f6 = ImageIO.read(Path.of(prefix + ".figure6.png").toFile());
        assertThat(f1.getWidth()).isEqualTo(900);
        // six panels (five datasets and the average), three per row
        assertThat(f6.getWidth()).isEqualTo(3 * 600);
        assertThat(f6.getHeight()).isEqualTo(2 * 420);
    }

    @Test
    void aKilledRunResumesToTheSameBytesAndReports() throws IOException {
        assertThat(fullRun.code()).as(fullRun.err()).isZero();
        byte[] all = Files.readAllBytes(full);
        // the run was killed while writing its fourth item: settings, three items and half a line are on disk
        List<String> ls = Files.readAllLines(full, StandardCharsets.UTF_8);
        String partial = String.join("\n", ls.subList(0, 4)) + "\n"
                + ls.get(4).substring(0, ls.get(4).length() / 2);
        Path killed = dir.resolve("killed.jsonl");
        Files.writeString(killed, partial, StandardCharsets.UTF_8);
        CliRun r = CliRun.run(new DjlModelFactory(), args("-o", killed.toString(), "--resume"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("10 items (7 new)");
        assertThat(Files.readAllBytes(killed)).isEqualTo(all);
        for (String suffix : List.of(".accuracy.csv", ".table1.md", ".table1.csv")) {
            assertThat(read(Path.of(dir.resolve("killed") + suffix))).isEqualTo(read(Path.of(dir.resolve("full")
                    + suffix)));
        }
        // other settings: refused, the file untouched
        CliRun other = CliRun.run(new DjlModelFactory(), args("-o", killed.toString(), "--resume", "--temperature",
                "0.5"));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("temperature is 1.0 in the file, 0.5 now");
        assertThat(Files.readAllBytes(killed)).isEqualTo(all);
        // without --resume or --force an existing file is not overwritten
        CliRun exists = CliRun.run(new DjlModelFactory(), args("-o", killed.toString()));
        assertThat(exists.code()).isEqualTo(2);
        assertThat(exists.err()).contains("exists");
    }

    @Test
    void shardsAggregateIntoTheUnshardedRun() throws IOException {
        assertThat(fullRun.code()).as(fullRun.err()).isZero();
        for (int i = 0; i < 2; i++) {
            CliRun r = CliRun.run(new DjlModelFactory(), args("-o", dir.resolve("s" + i + ".jsonl").toString(),
                    "--shard", i + "/2"));
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(lines(dir.resolve("s" + i + ".jsonl"))).hasSize(1 + 5 + 1);
        }
        Path prefix = dir.resolve("agg");
        CliRun agg = CliRun.run(new DjlModelFactory(), "eval", "--aggregate", dir.resolve("s0.jsonl").toString(),
                dir.resolve("s1.jsonl").toString(), "--report", prefix.toString());
        assertThat(agg.code()).as(agg.err()).isZero();
        // an item's samples depend only on the seed and the item (--chunk-items 1): identical numbers
        assertThat(read(Path.of(prefix + ".accuracy.csv"))).isEqualTo(read(Path.of(dir.resolve("full")
                + ".accuracy.csv")));
        // the same shard twice is refused
        CliRun twice = CliRun.run(new DjlModelFactory(), "eval", "--aggregate", dir.resolve("s0.jsonl").toString(),
                dir.resolve("s0.jsonl").toString(), "--report", prefix.toString());
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("appears twice");
    }

    @Test
    void aSeparateBaselineRunJoinsTheReports() throws IOException {
        String[] common = {"eval", "--dataset", "gsm8k", "--limit", "2", "--budget", "2", "--max-tokens", "8",
            "--max-prompt-tokens", "200", "--beta", "1", "--no-progress"};
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--methods", "qalign,mv", "-o", dir.resolve("sft.jsonl").toString()));
        assertThat(CliRun.run(new DjlModelFactory(), a.toArray(new String[0])).code()).isZero();
        List<String> b = new ArrayList<>(List.of(common));
        b.addAll(List.of("--methods", "mv", "--policy", Checkpoints.embeddedPolicy().toString(), "-o",
                dir.resolve("dpo.jsonl").toString()));
        assertThat(CliRun.run(new DjlModelFactory(), b.toArray(new String[0])).code()).isZero();
        Path prefix = dir.resolve("joined");
        CliRun j = CliRun.run(new DjlModelFactory(), "eval", "--aggregate", dir.resolve("sft.jsonl").toString(),
                "--baseline-results", dir.resolve("dpo.jsonl").toString(), "--report", prefix.toString());
        assertThat(j.code()).as(j.err()).isZero();
        String joined = read(Path.of(prefix + ".accuracy.csv"));
        String dpo = read(dir.resolve("dpo.accuracy.csv"));
        String label = Checkpoints.embeddedPolicy().getFileName().toString();
        // the baseline rows are the separate run's MV rows, relabelled
        for (String line : dpo.split("\n")) {
            if (line.startsWith("gsm8k,policy,")) {
                assertThat(joined).contains(line.replace("gsm8k,policy,", "gsm8k,baseline,"));
                assertThat(line).contains("," + label + ",mv,");
            }
        }
        assertThat(joined.lines().filter(x -> x.startsWith("gsm8k,baseline,"))).hasSize(2);
        assertThat(read(Path.of(prefix + ".table1.md"))).contains("| " + label + " | MV | 2 |");
    }

    @Test
    void scoresIfEvalResponsesWithoutAModel() throws IOException {
        List<IfEvalItem> items = Datasets.ifeval();
        Path in = dir.resolve("responses.jsonl");
        try (Stream<IfEvalItem> s = items.stream().limit(2)) {
            List<String> ls = s.map(it -> JSON.createObjectNode().put("prompt", it.prompt())
                    .put("response", "A short answer.").toString()).toList();
            Files.write(in, ls, StandardCharsets.UTF_8);
        }
        Path results = dir.resolve("scored.jsonl");
        CliRun r = CliRun.run((p, rw, d, t) -> {
            throw new AssertionError("no model is loaded");
        }, "eval", "--dataset", "ifeval", "--score-responses", in.toString(), "-o", results.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("prompts: 2", "prompt-level strict accuracy", "instruction-level loose accuracy");
        assertThat(lines(results)).hasSize(2);
        assertThat(lines(results).get(0).get("key").asInt()).isEqualTo(items.get(0).key());
        CliRun wrong = CliRun.run(new DjlModelFactory(), "eval", "--dataset", "gsm8k", "--score-responses",
                in.toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("--score-responses needs --dataset ifeval");
    }

    @Test
    void badArgumentsAreOneUsageLine() {
        ModelFactory none = (p, rw, d, t) -> {
            throw new AssertionError("no model is loaded");
        };
        String out = dir.resolve("x.jsonl").toString();
        for (String[] a : List.of(new String[] {"eval", "--dataset", "gsm9k", "-o", out},
                new String[] {"eval", "--shard", "2/2", "-o", out},
                new String[] {"eval", "--methods", "mbr", "-o", out},
                new String[] {"eval", "--budget", "0", "-o", out},
                new String[] {"eval", "--dataset", "gsm8k"})) {
            CliRun r = CliRun.run(none, a);
            assertThat(r.code()).as(String.join(" ", a)).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        }
    }
}
