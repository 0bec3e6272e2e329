package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.examples.experiment.SweepReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands end to end on toy models (the real-model run is in {@link SampleEmbeddedModelsTest}). */
class CliToyRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.strip().split("\n")) {
            nodes.add(JSON.readTree(l));
        }
        return nodes;
    }

    @Test
    void qalignSampleWritesEveryStepResultAndSummary() throws IOException {
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--prompt", "yo", "--budget", "4",
                "--beta", "0.5", "--max-tokens", "6", "--seed", "7");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> all = lines(r.out());
        assertThat(all.get(0).get("type").asText()).isEqualTo("settings");
        List<JsonNode> nodes = all.subList(1, all.size());
        // after the settings line, per prompt: step 0 (initial) + 3 steps + result; then the summary
        assertThat(nodes).hasSize(2 * 5 + 1);
        for (int p = 0; p < 2; p++) {
            List<JsonNode> chain = nodes.subList(p * 5, p * 5 + 4);
            for (int s = 0; s < 4; s++) {
                assertThat(chain.get(s).get("type").asText()).isEqualTo("step");
                assertThat(chain.get(s).get("step").asInt()).isEqualTo(s);
                assertThat(chain.get(s).get("prompt_index").asInt()).isEqualTo(p);
            }
            for (int s = 1; s < 4; s++) {
                JsonNode st = chain.get(s);
                assertThat(st.has("log_alpha")).isTrue();
                assertThat(st.get("candidate").get("text").isTextual()).isTrue();
                // a rejected step keeps the previous state's reward; an accepted one takes the candidate's
                double expected = st.get("accepted").asBoolean() ? st.get("candidate").get("reward").asDouble()
                        : st.get("current_reward").asDouble();
                assertThat(st.get("state_reward").asDouble()).isEqualTo(expected);
            }
            JsonNode res = nodes.get(p * 5 + 4);
            assertThat(res.get("type").asText()).isEqualTo("result");
            assertThat(res.get("method").asText()).isEqualTo("qalign");
            assertThat(res.get("beta").asDouble()).isEqualTo(0.5);
            assertThat(res.get("diagnostics").get("acceptance_rate").asDouble()).isBetween(0.0, 1.0);
            assertThat(res.get("compute").get("flops").asDouble()).isPositive();
            assertThat(res.get("compute").get("lm_generated_tokens").asLong()).isPositive();
        }
        JsonNode sum = nodes.get(nodes.size() - 1);
        assertThat(sum.get("type").asText()).isEqualTo("summary");
        assertThat(sum.get("acceptance_rate").asDouble()).isBetween(0.0, 1.0);
        assertThat(sum.get("beta_source").asText()).isEqualTo("--beta");
    }

    @Test
    void targetAcceptanceTunesBeta() throws IOException {
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--prompt", "yo", "--budget", "3",
                "--target-acceptance", "0.5", "--max-tokens", "5");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> nodes = lines(r.out());
        JsonNode sum = nodes.get(nodes.size() - 1);
        assertThat(sum.get("beta_source").asText()).startsWith("tuned to acceptance 0.5 on 2 prompts");
        assertThat(sum.get("beta").asDouble()).isPositive();
        assertThat(nodes.stream().filter(n -> n.get("type").asText().equals("result")))
                .allSatisfy(n -> assertThat(n.get("beta").asDouble()).isEqualTo(sum.get("beta").asDouble()));
    }

    @Test
    void sameSeedSameOutput() {
        String[] args = {"sample", "--prompt", "hi", "--budget", "8", "--chains", "2", "--max-tokens", "5",
            "--seed", "3"};
        String a = CliRun.run(new ToyModels(), args).out();
        String b = CliRun.run(new ToyModels(), args).out();
        assertThat(a).isEqualTo(b);
        String c = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--budget", "8", "--chains", "2",
                "--max-tokens", "5", "--seed", "4").out();
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void bestOfNSelectsTheHighestRewardToFile() throws IOException {
        Path out = tmp.resolve("bon.jsonl");
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompt", "hello", "--method", "bon", "--budget", "6",
                "--max-tokens", "4", "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        List<JsonNode> all = lines(Files.readString(out));
        assertThat(all.get(0).get("type").asText()).isEqualTo("settings");
        List<JsonNode> nodes = all.subList(1, all.size());
        assertThat(nodes).hasSize(6 + 1 + 1);
        double max = nodes.subList(0, 6).stream().mapToDouble(n -> n.get("reward").asDouble()).max().orElseThrow();
        JsonNode res = nodes.get(6);
        assertThat(res.get("selected").get("reward").asDouble()).isEqualTo(max);
        int idx = res.get("selected").get("index").asInt();
        assertThat(nodes.get(idx).get("reward").asDouble()).isEqualTo(max);
        assertThat(nodes.get(idx).get("text").asText()).isEqualTo(res.get("selected").get("text").asText());
    }

    @Test
    void promptsFileAndMajorityVote() throws IOException {
        Path f = tmp.resolve("p.jsonl");
        Files.writeString(f, "{\"prompt\": \"one\", \"id\": 1}\n\n{\"prompt\": \"two\"}\n");
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompts", f.toString(), "--method", "mv", "--budget",
                "5", "--max-tokens", "2");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> results = lines(r.out()).stream().filter(n -> n.get("type").asText().equals("result"))
                .toList();
        assertThat(results).extracting(n -> n.get("prompt").asText()).containsExactly("one", "two");
        assertThat(results).allSatisfy(n -> assertThat(n.get("answer").asText())
                .isEqualTo(n.get("selected").get("text").asText().strip()));
    }

    @Test
    void sweepWritesCsvAndPng() throws IOException {
        Path dir = tmp.resolve("out");
        CliRun r = CliRun.run(new ToyModels(), "sweep", "--prompt-count", "3", "--budget", "4", "--max-tokens", "4",
                "--out", dir.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertThat(csv.get(0)).isEqualTo(SweepReport.CSV_HEADER);
        assertThat(csv).hasSize(1 + 5 * 3);
        assertThat(csv.subList(1, csv.size())).extracting(l -> l.split(",")[0] + "@" + l.split(",")[1])
                .containsExactly("qalign@1", "qalign@2", "qalign@4", "bon@1", "bon@2", "bon@4", "mv@1", "mv@2",
                        "mv@4", "wmv@1", "wmv@2", "wmv@4", "mbr@1", "mbr@2", "mbr@4");
        byte[] png = Files.readAllBytes(dir.resolve("sweep.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(r.out()).contains("QAlign", "BoN", "gold metric: cheerful story", "wrote");
    }
}
