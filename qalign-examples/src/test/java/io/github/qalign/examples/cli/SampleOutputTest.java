package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardModel;
import io.github.qalign.model.RewardRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qalign sample --output}: settings line, per-prompt writes, --resume, --force, carried input fields and
 * write errors, on toy models in-process (a run is interrupted by a reward model that fails after some calls). The
 * real-signal tests on a child JVM are in {@link SampleInterruptTest}.
 */
class SampleOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Toy models whose reward model throws on its {@code failAt}-th score call (1-based). */
    private static final class FailingModels implements ModelFactory {
        final AtomicInteger calls = new AtomicInteger();
        final int failAt;

        FailingModels(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public LoadedModels load(Path policyDir, Path rewardDir, String device, int maxCompletionTokens) {
            LoadedModels toy = new ToyModels().load(policyDir, rewardDir, device, maxCompletionTokens);
            RewardModel rm = new RewardModel() {
                @Override
                public List<Reward> score(List<RewardRequest> requests) {
                    if (calls.incrementAndGet() == failAt) {
                        throw new IllegalStateException("simulated crash in the reward model");
                    }
                    return toy.reward().score(requests);
                }

                @Override
                public long parameterCount() {
                    return toy.reward().parameterCount();
                }
            };
            return new LoadedModels(toy.policy(), rm, toy.closer());
        }
    }

    private Path promptsFile(int n) throws IOException {
        Path f = tmp.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"id\": \"q" + i + "\", \"prompt\": \"prompt number " + i + "\", \"meta\": {\"k\": [" + i
                    + ", true]}}");
        }
        Files.write(f, lines, StandardCharsets.UTF_8);
        return f;
    }

    private static String[] args(Path prompts, Path out, String method, String... more) {
        List<String> a = new ArrayList<>(List.of("sample", "--prompts", prompts.toString(), "--method", method,
                "--budget", "4", "--max-tokens", "5", "--seed", "11", "--output", out.toString(), "--no-progress"));
        if (!List.of(more).contains("--chunk-prompts")) {
            a.addAll(List.of("--chunk-prompts", "1"));
        }
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    private static List<JsonNode> parse(Path f) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : Files.readString(f).split("\n", -1)) {
            if (!l.isEmpty()) {
                nodes.add(JSON.readTree(l));
            }
        }
        return nodes;
    }

    private static long count(List<JsonNode> nodes, String type) {
        return nodes.stream().filter(n -> n.get("type").asText().equals(type)).count();
    }

    @Test
    void settingsLineNamesEveryKnobAndInputFieldsAreCarried() throws IOException {
        Path prompts = promptsFile(3);
        Path out = tmp.resolve("out.jsonl");
        CliRun r = CliRun.run(new ToyModels(), args(prompts, out, "qalign", "--beta", "0.5"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(out)).endsWith("\n");
        List<JsonNode> nodes = parse(out);
        JsonNode s = nodes.get(0);
        assertThat(s.get("type").asText()).isEqualTo("settings");
        assertThat(s.get("method").asText()).isEqualTo("qalign");
        assertThat(s.get("budget").asInt()).isEqualTo(4);
        assertThat(s.get("chains").asInt()).isEqualTo(1);
        assertThat(s.get("seed").asLong()).isEqualTo(11);
        assertThat(s.get("temperature").asDouble()).isEqualTo(1.0);
        assertThat(s.get("max_tokens").asInt()).isEqualTo(5);
        assertThat(s.get("beta_option").asDouble()).isEqualTo(0.5);
        assertThat(s.get("beta").asDouble()).isEqualTo(0.5);
        assertThat(s.get("target_acceptance").isNull()).isTrue();
        assertThat(s.get("qalign_version").asText()).isEqualTo(QalignCli.VERSION);
        assertThat(s.get("policy").asText()).isEqualTo(SampleSettings.EMBEDDED_POLICY);
        assertThat(s.get("reward").asText()).isEqualTo(SampleSettings.EMBEDDED_REWARD);
        assertThat(s.get("device").asText()).isEqualTo("cpu");
        assertThat(s.get("prompt_count").asInt()).isEqualTo(3);
        assertThat(s.get("prompts_sha256").asText()).hasSize(64);
        List<JsonNode> results = nodes.stream().filter(n -> n.get("type").asText().equals("result")).toList();
        assertThat(results).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode in = results.get(i).get("input");
            assertThat(in.get("id").asText()).isEqualTo("q" + i);
            assertThat(in.get("meta").get("k").get(0).asInt()).isEqualTo(i);
            assertThat(in.has("prompt")).isFalse();
            assertThat(results.get(i).get("prompt").asText()).isEqualTo("prompt number " + i);
        }
        assertThat(nodes.get(nodes.size() - 1).get("type").asText()).isEqualTo("summary");
        // no temporary file is left next to the output
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("prompts.jsonl",
                    "out.jsonl");
        }
    }

    @Test
    void summaryTotalsAreTheSumsOfTheResultLines() throws IOException {
        Path prompts = promptsFile(3);
        Path out = tmp.resolve("out.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, out, "bon")).code()).isZero();
        List<JsonNode> nodes = parse(out);
        JsonNode sum = nodes.get(nodes.size() - 1).get("compute");
        long gen = 0;
        double flops = 0;
        for (JsonNode n : nodes) {
            if (n.get("type").asText().equals("result")) {
                gen += n.get("compute").get("lm_generated_tokens").asLong();
                flops += n.get("compute").get("flops").asDouble();
            }
        }
        assertThat(sum.get("lm_generated_tokens").asLong()).isEqualTo(gen).isPositive();
        assertThat(sum.get("flops").asDouble()).isEqualTo(flops);
    }

    @Test
    void aFailedRunKeepsEveryFinishedPromptAndResumeGivesTheSameBytes() throws IOException {
        for (String method : List.of("qalign", "bon", "wmv")) {
            Path prompts = promptsFile(5);
            Path full = tmp.resolve(method + "-full.jsonl");
            Path cut = tmp.resolve(method + "-cut.jsonl");
            assertThat(CliRun.run(new ToyModels(), args(prompts, full, method)).code()).isZero();
            // qalign: 4 score calls per prompt (initial + 3 steps); bon/wmv: 1 per prompt. Fail inside prompt 3.
            int failAt = method.equals("qalign") ? 3 * 4 + 2 : 3 + 1;
            CliRun failed = CliRun.run(new FailingModels(failAt), args(prompts, cut, method));
            assertThat(failed.code()).isEqualTo(1);
            assertThat(failed.err()).contains("simulated crash");
            List<JsonNode> partial = parse(cut);
            assertThat(partial.get(0).get("type").asText()).isEqualTo("settings");
            assertThat(count(partial, "result")).isEqualTo(3);
            assertThat(count(partial, "summary")).isZero();
            assertThat(Files.readString(full)).startsWith(Files.readString(cut));

            CliRun resumed = CliRun.run(new ToyModels(), args(prompts, cut, method, "--resume"));
            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(Files.readAllBytes(cut)).isEqualTo(Files.readAllBytes(full));
        }
    }

    @Test
    void chunksOfPromptsAreWrittenTogetherAndResumedAtAChunkBoundary() throws IOException {
        Path prompts = promptsFile(5);
        Path full = tmp.resolve("full.jsonl");
        Path cut = tmp.resolve("cut.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, full, "qalign", "--chunk-prompts", "2")).code())
                .isZero();
        assertThat(parse(full).get(0).get("chunk_prompts").asInt()).isEqualTo(2);
        // chunks {0,1}, {2,3}, {4}: 4 score calls per chunk; fail inside the second chunk
        CliRun failed = CliRun.run(new FailingModels(4 + 3), args(prompts, cut, "qalign", "--chunk-prompts", "2"));
        assertThat(failed.code()).isEqualTo(1);
        assertThat(count(parse(cut), "result")).isEqualTo(2);
        CliRun other = CliRun.run(new ToyModels(), args(prompts, cut, "qalign", "--resume", "--chunk-prompts", "1"));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("chunk_prompts is 2 in the file, 1 now");
        CliRun resumed = CliRun.run(new ToyModels(), args(prompts, cut, "qalign", "--resume", "--chunk-prompts",
                "2"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllBytes(cut)).isEqualTo(Files.readAllBytes(full));
    }

    @Test
    void resumeDropsAnIncompleteTailAndUnfinishedPromptLines() throws IOException {
        Path prompts = promptsFile(4);
        Path full = tmp.resolve("full.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, full, "qalign")).code()).isZero();
        String text = Files.readString(full);
        List<String> lines = List.of(text.split("\n"));
        // keep settings + prompt 0 (5 lines) + two step lines of prompt 1 + half of the third one
        Path cut = tmp.resolve("cut.jsonl");
        String head = String.join("\n", lines.subList(0, 1 + 5 + 2)) + "\n";
        String third = lines.get(8);
        Files.writeString(cut, head + third.substring(0, third.length() / 2));
        CliRun resumed = CliRun.run(new ToyModels(), args(prompts, cut, "qalign", "--resume"));
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readString(cut)).isEqualTo(text);
    }

    @Test
    void resumeRefusesOtherSettingsAndLeavesTheFileAlone() throws IOException {
        Path prompts = promptsFile(2);
        Path out = tmp.resolve("out.jsonl");
        assertThat(CliRun.run(new FailingModels(4 + 2), args(prompts, out, "qalign")).code()).isEqualTo(1);
        byte[] before = Files.readAllBytes(out);
        CliRun other = CliRun.run(new ToyModels(), args(prompts, out, "qalign", "--resume", "--temperature", "0.9"));
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err().strip().lines()).hasSize(1);
        assertThat(other.err()).contains("temperature is 1.0 in the file, 0.9 now");
        Files.writeString(prompts, "{\"prompt\": \"another\"}\n{\"prompt\": \"prompt\"}\n");
        CliRun otherPrompts = CliRun.run(new ToyModels(), args(prompts, out, "qalign", "--resume"));
        assertThat(otherPrompts.code()).isEqualTo(2);
        assertThat(otherPrompts.err()).contains("prompts_sha256");
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
    }

    @Test
    void resumeOfACompleteFileChangesNothing() throws IOException {
        Path prompts = promptsFile(2);
        Path out = tmp.resolve("out.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, out, "mbr")).code()).isZero();
        byte[] before = Files.readAllBytes(out);
        CliRun again = CliRun.run(new FailingModels(1), args(prompts, out, "mbr", "--resume"));
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("already complete");
        assertThat(Files.readAllBytes(out)).isEqualTo(before);
    }

    @Test
    void resumeOfAMissingFileStartsANewRun() throws IOException {
        Path prompts = promptsFile(2);
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, a, "mv")).code()).isZero();
        assertThat(CliRun.run(new ToyModels(), args(prompts, b, "mv", "--resume")).code()).isZero();
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
    }

    @Test
    void resumeOfAFileThatIsNotAnOutputIsAUsageError() throws IOException {
        Path prompts = promptsFile(2);
        Path out = tmp.resolve("out.jsonl");
        Files.writeString(out, "{\"prompt\": \"x\"}\n");
        CliRun r = CliRun.run(new ToyModels(), args(prompts, out, "bon", "--resume"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(out.toString() + ":1", "settings line");
        assertThat(Files.readString(out)).isEqualTo("{\"prompt\": \"x\"}\n");
    }

    @Test
    void anExistingOutputIsNotOverwrittenWithoutForce() throws IOException {
        Path prompts = promptsFile(2);
        Path out = tmp.resolve("out.jsonl");
        Files.writeString(out, "precious\n");
        CliRun r = CliRun.run(new ToyModels(), args(prompts, out, "bon"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("exists", "--resume", "--force");
        assertThat(Files.readString(out)).isEqualTo("precious\n");
        // --force, but the run fails before its first prompt is finished: the old file survives, no temp file left
        CliRun failed = CliRun.run(new FailingModels(1), args(prompts, out, "bon", "--force"));
        assertThat(failed.code()).isEqualTo(1);
        assertThat(Files.readString(out)).isEqualTo("precious\n");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("prompts.jsonl",
                    "out.jsonl");
        }
        // --force that finishes a prompt replaces it
        Path ref = tmp.resolve("ref.jsonl");
        assertThat(CliRun.run(new ToyModels(), args(prompts, ref, "bon")).code()).isZero();
        assertThat(CliRun.run(new ToyModels(), args(prompts, out, "bon", "--force")).code()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(ref));
    }

    @Test
    void resumeAndForceNeedAFileAndExcludeEachOther() throws IOException {
        Path prompts = promptsFile(1);
        Path out = tmp.resolve("out.jsonl");
        CliRun both = CliRun.run(new ToyModels(), args(prompts, out, "bon", "--resume", "--force"));
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        CliRun noFile = CliRun.run(new ToyModels(), "sample", "--prompt", "x", "--resume");
        assertThat(noFile.code()).isEqualTo(2);
        assertThat(noFile.err()).contains("--resume needs --output FILE");
    }

    @Test
    void aWriteToAFullDeviceExitsOneWithOneLineNamingThePathAndTheReason() {
        Path full = Path.of("/dev/full");
        assertThat(Files.exists(full)).as("/dev/full exists on Linux").isTrue();
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompt", "x", "--method", "bon", "--budget", "2",
                "--max-tokens", "3", "--output", "/dev/full", "--no-progress");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("cannot write /dev/full", "No space left on device");
    }

    @Test
    void aStdoutThatFailsExitsOne() {
        java.io.StringWriter err = new java.io.StringWriter();
        java.io.PrintWriter broken = new java.io.PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) throws IOException {
                throw new IOException("broken pipe");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        int code = QalignCli.execute(new ToyModels(), broken, new java.io.PrintWriter(err), null, "sample",
                "--prompt", "x", "--method", "bon", "--budget", "2", "--max-tokens", "3");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("cannot write standard output");
    }
}
