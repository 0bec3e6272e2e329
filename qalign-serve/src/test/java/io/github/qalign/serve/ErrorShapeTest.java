package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every refusal comes in OpenAI's error shape with the right status, type, param and code. */
class ErrorShapeTest {

    private static StoriesModels models;
    private static QalignServer server;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        models = new StoriesModels();
        server = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).maxBudget(16).maxRequestBytes(4096).build());
        base = server.baseUri();
    }

    @AfterAll
    static void stop() {
        server.stop();
        models.close();
    }

    /** Asserts the exact OpenAI error shape and returns the error object. */
    static JsonNode error(Http.Res res, int status, String type, String param, String code) {
        assertThat(res.status()).as(res.text()).isEqualTo(status);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode root = res.json();
        assertThat(root.size()).isEqualTo(1);
        JsonNode e = root.get("error");
        assertThat(e).isNotNull();
        assertThat(e.get("message").isTextual()).isTrue();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isEqualTo(type);
        if (param == null) {
            assertThat(e.get("param").isNull()).isTrue();
        } else {
            assertThat(e.get("param").asText()).isEqualTo(param);
        }
        if (code == null) {
            assertThat(e.get("code").isNull()).isTrue();
        } else {
            assertThat(e.get("code").asText()).isEqualTo(code);
        }
        return e;
    }

    @Test
    void badJson() {
        JsonNode e = error(Http.post(base, "/v1/completions", "{\"prompt\": \"a\", "), 400, "invalid_request_error",
                null, "invalid_json");
        assertThat(e.get("message").asText()).contains("not valid JSON");
        error(Http.post(base, "/v1/chat/completions", "[1,2]"), 400, "invalid_request_error", null, "invalid_json");
        error(Http.post(base, "/classify", ""), 400, "invalid_request_error", null, "invalid_json");
    }

    @Test
    void unknownModel() {
        JsonNode e = error(Http.post(base, "/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"a\"}"), 404,
                "invalid_request_error", "model", "model_not_found");
        assertThat(e.get("message").asText()).contains("gpt-4").contains("stories260k");
        error(Http.post(base, "/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}"), 404, "invalid_request_error", "model", "model_not_found");
        error(Http.post(base, "/classify", "{\"model\":\"stories260k\",\"input\":\"a\"}"), 404,
                "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void contextOverflow() {
        JsonNode e = error(Http.post(base, "/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":"
                + StoriesModels.CONTEXT + "}"), 400, "invalid_request_error", "max_tokens",
                "context_length_exceeded");
        assertThat(e.get("message").asText()).contains("maximum context length is " + StoriesModels.CONTEXT);
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            longText.append(" the");
        }
        error(Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + longText + "\"}]}"), 400, "invalid_request_error", "messages", "context_length_exceeded");
        error(Http.post(base, "/classify", "{\"input\":\"" + longText + "\"}"), 400, "invalid_request_error",
                "input", "context_length_exceeded");
    }

    @Test
    void budgetAboveTheServersCap() {
        JsonNode e = error(Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hi\"}],\"qalign\":{\"method\":\"bon\",\"budget\":17}}"), 400, "invalid_request_error",
                "qalign.budget", "budget_exceeds_cap");
        assertThat(e.get("message").asText()).contains("17").contains("16");
        error(Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Map.of("X-QAlign-Budget", "1000")), 400, "invalid_request_error", "qalign.budget",
                "budget_exceeds_cap");
    }

    @Test
    void badFieldsNameTheField() {
        error(Http.post(base, "/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":\"ten\"}"), 400,
                "invalid_request_error", "max_tokens", "invalid_value");
        error(Http.post(base, "/v1/completions", "{\"prompt\":\"a\",\"temperature\":-1}"), 400,
                "invalid_request_error", "temperature", "invalid_value");
        error(Http.post(base, "/v1/completions", "{\"prompt\":[1, 2, 100000]}"), 400, "invalid_request_error",
                "prompt[2]", "invalid_value");
        error(Http.post(base, "/v1/completions", "{\"max_tokens\":3}"), 400, "invalid_request_error", "prompt",
                "invalid_value");
        error(Http.post(base, "/v1/completions", "{\"prompt\":\"a\",\"stream\":true}"), 400,
                "invalid_request_error", "stream", "unsupported");
        error(Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"qalign\":{\"method\":\"beam\"}}"), 400, "invalid_request_error", "qalign.method",
                "invalid_value");
        error(Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"qalign\":{\"budget\":6,\"chains\":4}}"), 400, "invalid_request_error", "qalign.chains",
                "invalid_value");
        error(Http.post(base, "/v1/chat/completions", "{\"messages\":[]}"), 400, "invalid_request_error",
                "messages", "invalid_value");
        error(Http.post(base, "/detokenize", "{\"tokens\":[-1]}"), 400, "invalid_request_error", "tokens[0]",
                "invalid_value");
    }

    @Test
    void bodyTooLargeUnknownUrlAndWrongMethod() {
        error(Http.post(base, "/v1/completions", "{\"prompt\":\"" + "a".repeat(5000) + "\"}"), 413,
                "invalid_request_error", null, "request_too_large");
        error(Http.get(base, "/v1/embeddings"), 404, "invalid_request_error", null, "unknown_url");
        Http.Res r = Http.get(base, "/v1/completions");
        error(r, 405, "invalid_request_error", null, "method_not_allowed");
        assertThat(r.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void errorsJettyAnswersItselfUseTheSameShape() throws Exception {
        // a request line Jetty rejects before any handler runs (oversized header)
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            String req = "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n";
            socket.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoTimeout(10_000);
            String res = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(res).startsWith("HTTP/1.1 431");
            JsonNode e = Http.parse(res.substring(res.indexOf("\r\n\r\n") + 4)).get("error");
            assertThat(e.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.get("code").asText()).isEqualTo("http_431");
        }
    }

    @Test
    void bearerTokenGuardsEverythingButHealth() throws Exception {
        try (QalignServer guarded = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).apiKey("s3cret").build())) {
            URI b = guarded.baseUri();
            assertThat(Http.get(b, "/health").status()).isEqualTo(200);
            Http.Res none = Http.get(b, "/v1/models");
            error(none, 401, "invalid_request_error", null, "invalid_api_key");
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            error(Http.post(b, "/tokenize", "{\"prompt\":\"a\"}", Map.of("Authorization", "Bearer wrong")), 401,
                    "invalid_request_error", null, "invalid_api_key");
            assertThat(Http.post(b, "/tokenize", "{\"prompt\":\"a\"}", Map.of("Authorization", "Bearer s3cret"))
                    .status()).isEqualTo(200);
        }
    }
}
