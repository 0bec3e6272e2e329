package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.remote.testing.ModelServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code qalign sample --policy-endpoint ... --reward-endpoint ...} against loopback model servers. */
class RemoteCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> steps(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.strip().split("\n")) {
            JsonNode n = JSON.readTree(l);
            if (n.get("type").asText().equals("step")) {
                nodes.add(n);
            }
        }
        return nodes;
    }

    @Test
    void sampleThroughServersGivesTheInProcessSteps() throws IOException {
        String[] common = {"sample", "--prompt", "hi", "--budget", "5", "--beta", "0.5", "--max-tokens", "6", "--seed",
            "7", "--no-progress"};
        CliRun local = CliRun.run(new ToyModels(), common);
        assertThat(local.code()).as(local.err()).isZero();
        LoadedModels toys = new ToyModels().load(null, null, "cpu", 6);
        // the toy's next-token law depends on the position in the completion: the servers split prompt and prefix
        List<io.github.qalign.model.Prompt> known = List.of(toys.policy().prompt("hi"));
        try (ModelServer policy = ModelServer.builder().languageModel(toys.policy()).prompts(known).start();
             ModelServer policy2 = ModelServer.builder().languageModel(toys.policy()).prompts(known).start();
             ModelServer reward = ModelServer.builder().rewardModel(toys.reward()).prompts(known).start()) {
            List<String> args = new ArrayList<>(List.of(common));
            args.addAll(List.of("--policy-endpoint", policy.baseUrl().toString(), "--policy-endpoint",
                    policy2.baseUrl() + "/v1", "--reward-endpoint", reward.baseUrl().toString()));
            ToyModels unused = new ToyModels();
            CliRun remote = CliRun.run(unused, args.toArray(String[]::new));
            assertThat(remote.code()).as(remote.err()).isZero();
            assertThat(unused.loads).as("no in-process model is loaded").isEmpty();
            List<JsonNode> a = steps(remote.out());
            List<JsonNode> b = steps(local.out());
            assertThat(a).hasSize(5);
            for (int i = 0; i < a.size(); i++) {
                JsonNode x = a.get(i);
                JsonNode y = b.get(i);
                assertThat(x.path("text").asText()).isEqualTo(y.path("text").asText());
                assertThat(x.path("reward").asDouble()).isEqualTo(y.path("reward").asDouble());
                assertThat(String.valueOf(x.get("candidate"))).isEqualTo(String.valueOf(y.get("candidate")));
                assertThat(String.valueOf(x.get("accepted"))).isEqualTo(String.valueOf(y.get("accepted")));
            }
            assertThat(policy.completions() + policy2.completions()).isEqualTo(5);
        }
    }

    @Test
    void badEndpointCombinationsAreClearErrors() {
        CliRun r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--policy-endpoint", "http://localhost:1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("give both --policy-endpoint and --reward-endpoint");
        r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--policy-endpoint", "ftp://x",
                "--reward-endpoint", "http://localhost:1");
        assertThat(r.err()).contains("--policy-endpoint: endpoint ftp://x must be an http:// or https:// URL");
        r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--policy-endpoint", "http://a:1",
                "--reward-endpoint", "http://b:1", "--server", "llamacpp");
        assertThat(r.err()).contains("give --reward-head DIR");
        r = CliRun.run(new ToyModels(), "sample", "--prompt", "hi", "--reward-head", ".");
        assertThat(r.err()).contains("--reward-head only applies with --policy-endpoint/--reward-endpoint");
    }
}
