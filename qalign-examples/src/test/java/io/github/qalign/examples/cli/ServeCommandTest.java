package io.github.qalign.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qalign.serve.QalignServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code qalign serve} starts on the embedded models, answers, and ends when the server stops. */
class ServeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> send(HttpRequest r) throws Exception {
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheEmbeddedModelsAndStopsCleanly() throws Exception {
        CompletableFuture<QalignServer> started = new CompletableFuture<>();
        ServeCommand.onStarted = started::complete;
        try {
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(
                    (p, r, d, m) -> {
                        throw new AssertionError("serve loads its models itself");
                    }, "serve", "--port", "0", "--api-key", "k", "--max-budget", "8"));
            QalignServer server = started.get(120, TimeUnit.SECONDS);
            URI base = server.baseUri();
            assertThat(base.getHost()).isEqualTo("127.0.0.1");
            assertThat(send(HttpRequest.newBuilder(base.resolve("/health")).build()).statusCode()).isEqualTo(200);
            HttpResponse<String> models = send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                    .header("Authorization", "Bearer k").build());
            JsonNode m = JSON.readTree(models.body());
            assertThat(m.get("data").get(0).get("id").asText()).isEqualTo("stories260k");
            assertThat(m.get("data").get(1).get("id").asText()).isEqualTo("stories260k-rm");
            HttpResponse<String> chat = send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("Authorization", "Bearer k").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260k\",\"messages\":[{\"role\":"
                            + "\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":24,"
                            + "\"qalign\":{\"budget\":4,\"seed\":1}}")).build());
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            JsonNode c = JSON.readTree(chat.body());
            assertThat(c.get("qalign").get("beta").asDouble()).isEqualTo(0.25);
            assertThat(c.get("choices").get(0).get("message").get("content").asText()).isNotBlank();
            HttpResponse<String> over = send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("Authorization", "Bearer k").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],"
                            + "\"qalign\":{\"budget\":9}}")).build());
            assertThat(over.statusCode()).isEqualTo(400);
            server.stop();
            CliRun r = run.get(60, TimeUnit.SECONDS);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("listening on " + base).contains("started in");
        } finally {
            ServeCommand.onStarted = null;
        }
    }

    @Test
    void frontsModelServersThroughQalignRemoteWithTheSameAnswer() throws Exception {
        io.github.qalign.djl.llama.LlamaOptions opts = io.github.qalign.djl.llama.LlamaOptions.builder()
                .maxBatchSize(16).contextLength(512).build();
        String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":24,"
                + "\"qalign\":{\"budget\":4,\"seed\":5,\"beta\":0.25}}";
        try (io.github.qalign.serve.djl.DjlServing inner = io.github.qalign.serve.djl.DjlServing.open(
                io.github.qalign.examples.models.Checkpoints.embeddedPolicy(), ServeCommand.embeddedRewardModel(),
                opts, "stories260k", "stories260k-rm");
             QalignServer upstream = QalignServer.start(inner.policy(), inner.reward(),
                     io.github.qalign.serve.ServerConfig.builder().port(0).build())) {
            HttpResponse<String> direct = send(HttpRequest.newBuilder(upstream.baseUri().resolve(
                    "/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(chat)).build());
            CompletableFuture<QalignServer> started = new CompletableFuture<>();
            ServeCommand.onStarted = started::complete;
            CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.run(
                    (p, r, d, m) -> {
                        throw new AssertionError("serve loads its models itself");
                    }, "serve", "--port", "0", "--policy-endpoint", upstream.baseUri().toString(),
                    "--reward-endpoint", upstream.baseUri().toString(), "--policy-tokenizer",
                    io.github.qalign.examples.models.Checkpoints.embeddedPolicy().toString()));
            QalignServer front = started.get(120, TimeUnit.SECONDS);
            HttpResponse<String> viaFront = send(HttpRequest.newBuilder(front.baseUri().resolve(
                    "/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(chat)).build());
            assertThat(viaFront.statusCode()).as(viaFront.body()).isEqualTo(200);
            JsonNode a = JSON.readTree(direct.body());
            JsonNode b = JSON.readTree(viaFront.body());
            assertThat(b.get("choices").get(0).get("message").get("content").asText())
                    .isEqualTo(a.get("choices").get(0).get("message").get("content").asText());
            assertThat(b.get("model").asText()).isEqualTo("remote-policy");
            // the front's policy calls reached the upstream's runtime
            assertThat(upstream.policyBatches().rows()).isGreaterThanOrEqualTo(8);
            front.stop();
            assertThat(run.get(60, TimeUnit.SECONDS).code()).isZero();
        } finally {
            ServeCommand.onStarted = null;
        }
    }

    @Test
    void badFlagsAreUsageErrors() {
        CliRun r = CliRun.run((p, rw, d, m) -> {
            throw new AssertionError("not reached");
        }, "serve", "--port", "70000");
        assertThat(r.code()).isEqualTo(QalignCli.USAGE);
        assertThat(r.err()).contains("port");
    }
}
