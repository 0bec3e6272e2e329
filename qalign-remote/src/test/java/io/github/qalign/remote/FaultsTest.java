package io.github.qalign.remote;

import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.github.qalign.remote.TestSupport.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Server faults: each is retried with backoff, and after the last attempt reported as one clear error. */
class FaultsTest {

    private static final String OK = VllmCompletionsTest.response("length", "null", "[7, 8]", 3, 2, 0);
    private static final Prompt PROMPT = new Prompt("hi", TokenIds.of(10, 11, 12));
    private static final SamplingConfig CFG = SamplingConfig.defaults().withMaxCompletionTokens(2);

    private MockWebServer server;
    private TestSupport.RecordingSleeper sleeper;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        sleeper = new TestSupport.RecordingSleeper();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RemoteLanguageModel model(RemoteOptions options) {
        return RemoteLanguageModel.builder().endpoint(server.url("/").toString()).codec(new TestSupport.IdCodec())
                .eosTokenIds(2).vocabSize(1000).options(options).build();
    }

    private Generation generate(RemoteLanguageModel lm) {
        return lm.generate(List.of(GenerationRequest.fresh(PROMPT, 9L)), CFG).get(0);
    }

    @Test
    void serverErrorsAreRetriedWithExponentialBackoffThenSucceed() {
        server.enqueue(json(500, "{\"error\":{\"message\":\"EngineCore died\",\"type\":\"InternalServerError\"}}"));
        server.enqueue(json(502, "<html>bad gateway</html>"));
        server.enqueue(json(200, OK));
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 4))) {
            assertThat(generate(lm).completion()).isEqualTo(TokenIds.of(7, 8));
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
        // 100 ms then 200 ms, each shortened by up to 50 % jitter
        assertThat(sleeper.waits).hasSize(2);
        assertThat(sleeper.waits.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(sleeper.waits.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void theJitterIsSeeded() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(300), 0.5, Duration.ZERO);
        java.util.SplittableRandom a = new java.util.SplittableRandom(3);
        java.util.SplittableRandom b = new java.util.SplittableRandom(3);
        for (int attempt = 1; attempt <= 4; attempt++) {
            Duration d = p.backoff(attempt, a);
            assertThat(d).isEqualTo(p.backoff(attempt, b));
            long cap = Math.min(300, 100L << (attempt - 1));
            assertThat(d).isBetween(Duration.ofMillis(cap / 2), Duration.ofMillis(cap));
        }
    }

    @Test
    void tooManyRequestsHonoursRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "7")
                .body("{\"error\":{\"message\":\"queue full\"}}").build());
        server.enqueue(json(200, OK));
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 3))) {
            generate(lm);
        }
        assertThat(sleeper.waits).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void aRetryAfterLongerThanAcceptedFailsAtOnce() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "3600").body("busy").build());
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 3))) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("HTTP 429").hasMessageContaining("Retry-After 3600 s exceeds the 30 s");
        }
        assertThat(sleeper.waits).isEmpty();
    }

    @Test
    void aResponseSlowerThanTheTimeoutIsRetried() {
        server.enqueue(new MockResponse.Builder().code(200).body(OK).headersDelay(3, TimeUnit.SECONDS).build());
        server.enqueue(json(200, OK));
        RemoteOptions o = TestSupport.fastOptions(sleeper, 2).toBuilder().requestTimeout(Duration.ofMillis(500))
                .build();
        long t0 = System.nanoTime();
        try (RemoteLanguageModel lm = model(o)) {
            assertThat(generate(lm).completion()).isEqualTo(TokenIds.of(7, 8));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2900));
        assertThat(sleeper.waits).hasSize(1);
    }

    @Test
    void aBodyThatTricklesPastTheDeadlineTimesOutToo() {
        for (int i = 0; i < 2; i++) {
            server.enqueue(new MockResponse.Builder().code(200).body(OK).throttleBody(16, 1, TimeUnit.SECONDS)
                    .build());
        }
        RemoteOptions o = TestSupport.fastOptions(sleeper, 2).toBuilder().requestTimeout(Duration.ofMillis(400))
                .build();
        try (RemoteLanguageModel lm = model(o)) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("no complete response within the 400 ms request timeout")
                    .hasMessageContaining("no HTTP response").hasMessageContaining("after 2 attempts");
        }
    }

    @Test
    void aConnectionResetMidBodyIsRetried() {
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Length", OK.length()).body(OK)
                .onResponseBody(new SocketEffect.CloseSocket(true, true, true)).build());
        server.enqueue(json(200, OK));
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 3))) {
            assertThat(generate(lm).completion()).isEqualTo(TokenIds.of(7, 8));
        }
        assertThat(sleeper.waits).hasSize(1);
    }

    @Test
    void malformedJsonIsRetriedThenReportedWithTheBodyHead() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, "{\"choices\": [ {\"index\": 0, \"token_ids\": [1, 2"));
        }
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 3))) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("malformed JSON").hasMessageContaining("HTTP 200")
                    .hasMessageContaining("after 3 attempts")
                    .hasMessageContaining("body starts: {\"choices\": [ {\"index\": 0, \"token_ids\": [1, 2");
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void persistentServerErrorsEndInOneExceptionNamingEndpointStatusAndBody() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(503, "{\"error\":{\"message\":\"model is loading\"}}"));
        }
        try (RemoteLanguageModel lm = model(TestSupport.fastOptions(sleeper, 3))) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOfSatisfying(RemoteException.class, e -> {
                assertThat(e.status()).isEqualTo(503);
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.endpoint().toString()).isEqualTo(server.url("/v1/completions").toString());
                assertThat(e.bodyHead()).isEqualTo("{\"error\":{\"message\":\"model is loading\"}}");
            });
        }
    }

    @Test
    void anOversizedBodyFailsWithoutReadingItAll() {
        server.enqueue(json(200, "{\"pad\":\"" + "x".repeat(8192) + "\"}"));
        RemoteOptions o = TestSupport.fastOptions(sleeper, 3).toBuilder().maxResponseBytes(4096).build();
        try (RemoteLanguageModel lm = model(o)) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("response body exceeds the 4096 bytes accepted")
                    .hasMessageContaining("after 1 attempt");
        }
    }

    @Test
    void aDeadEndpointIsAConnectionErrorNamingIt() throws IOException {
        MockWebServer dead = new MockWebServer();
        dead.start();
        String url = dead.url("/").toString();
        dead.close();
        try (RemoteLanguageModel lm = RemoteLanguageModel.builder().endpoint(url).codec(new TestSupport.IdCodec())
                .eosTokenIds(2).options(TestSupport.fastOptions(sleeper, 2)).build()) {
            assertThatThrownBy(() -> generate(lm)).isInstanceOf(RemoteException.class)
                    .hasMessageContaining(url.replaceAll("/$", "") + "/v1/completions")
                    .hasMessageContaining("no HTTP response").hasMessageContaining("after 2 attempts");
        }
    }
}
