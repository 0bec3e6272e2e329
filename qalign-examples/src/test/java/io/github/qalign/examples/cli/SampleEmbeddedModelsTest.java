package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One tiny end-to-end {@code qalign sample} run on the real embedded policy and reward model. */
class SampleEmbeddedModelsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.strip().split("\n")) {
            nodes.add(JSON.readTree(l));
        }
        return nodes;
    }

    @Test
    void qalignOnTheEmbeddedModels() throws IOException {
        String[] args = {"sample", "--prompt", "Once upon a time, there was a little dog named Max.", "--method",
            "qalign", "--budget", "4", "--max-tokens", "12", "--beta", "1", "--seed", "5", "--no-progress"};
        CliRun r = CliRun.run(new DjlModelFactory(), args);
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> all = lines(r.out());
        assertThat(all.get(0).get("type").asText()).isEqualTo("settings");
        assertThat(all.get(0).get("policy").asText()).isEqualTo("embedded:stories260K");
        List<JsonNode> nodes = all.subList(1, all.size());
        assertThat(nodes).hasSize(4 + 1 + 1);
        for (int s = 0; s < 4; s++) {
            JsonNode n = nodes.get(s);
            assertThat(n.get("type").asText()).isEqualTo("step");
            JsonNode sample = s == 0 ? n : n.get("candidate");
            assertThat(sample.get("tokens").asInt()).isBetween(1, 12);
            assertThat(sample.get("text").asText()).isNotBlank();
            assertThat(Double.isFinite(sample.get("reward").asDouble())).isTrue();
        }
        // the reward model really reads the completions: different stories, different rewards
        java.util.Set<Double> rewards = new java.util.HashSet<>();
        rewards.add(nodes.get(0).get("reward").asDouble());
        for (int s = 1; s < 4; s++) {
            rewards.add(nodes.get(s).get("candidate").get("reward").asDouble());
        }
        assertThat(rewards).hasSizeGreaterThan(1);
        JsonNode result = nodes.get(4);
        assertThat(result.get("selected").get("text").asText()).isNotBlank();
        JsonNode c = result.get("compute");
        // FLOPs = 2 * params * computed tokens, for both models; stories260K has 260,032 parameters
        assertThat(c.get("lm_parameters").asLong()).isEqualTo(260_032L);
        double flops = 2.0 * c.get("lm_parameters").asLong()
                * (c.get("lm_computed_input_tokens").asLong() + c.get("lm_generated_tokens").asLong())
                + 2.0 * c.get("rm_parameters").asLong() * c.get("rm_computed_tokens").asLong();
        assertThat(c.get("flops").asDouble()).isEqualTo(flops);
        assertThat(nodes.get(5).get("beta_source").asText()).isEqualTo("--beta");
        // reproducible from the seed
        CliRun again = CliRun.run(new DjlModelFactory(), args);
        assertThat(again.out()).isEqualTo(r.out());
    }
}
