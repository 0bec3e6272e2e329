package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Bounded admission (503 + Retry-After), per-request deadlines (504) and graceful shutdown, on a gated model. */
class OverloadAndShutdownTest {

    private static final String BODY = "{\"prompt\":[1,2,3],\"max_tokens\":4,\"seed\":1}";

    private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 10 s");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void beyondTheQueueRequestsGet503WithRetryAfter() throws Exception {
        FakeModels.GatedModel lm = new FakeModels.GatedModel();
        lm.gate = new CountDownLatch(1);
        try (QalignServer s = QalignServer.start(FakeModels.policy(lm), FakeModels.reward(),
                ServerConfig.builder().port(0).concurrency(1, 1).build())) {
            URI b = s.baseUri();
            CompletableFuture<Http.Res> running = CompletableFuture.supplyAsync(() -> Http.post(b, "/v1/completions",
                    BODY));
            await(() -> lm.entered.get() == 1);
            CompletableFuture<Http.Res> queued = CompletableFuture.supplyAsync(() -> Http.post(b, "/v1/completions",
                    BODY));
            await(() -> Http.get(b, "/v1/qalign/metrics").json().get("admission").get("model_waiting").asInt()
                    == 1);
            Http.Res refused = Http.post(b, "/v1/completions", BODY);
            ErrorShapeTest.error(refused, 503, "server_error", null, "server_overloaded");
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            lm.gate.countDown();
            assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(Http.post(b, "/v1/completions", BODY).status()).isEqualTo(200);
        }
    }

    @Test
    void aRequestPastItsDeadlineGets504AndTheServerStaysUsable() throws Exception {
        FakeModels.GatedModel lm = new FakeModels.GatedModel();
        lm.gate = new CountDownLatch(1);
        try (QalignServer s = QalignServer.start(FakeModels.policy(lm), FakeModels.reward(),
                ServerConfig.builder().port(0).requestTimeout(Duration.ofMillis(300)).build())) {
            URI b = s.baseUri();
            Http.Res r = Http.post(b, "/v1/completions", BODY);
            ErrorShapeTest.error(r, 504, "timeout_error", null, "request_timeout");
            lm.gate.countDown();
            assertThat(Http.post(b, "/v1/completions", BODY).status()).isEqualTo(200);
        }
    }

    @Test
    void stopLetsRequestsInFlightFinishThenRefusesConnections() throws Exception {
        FakeModels.GatedModel lm = new FakeModels.GatedModel();
        lm.sleepMillis = 400;
        QalignServer s = QalignServer.start(FakeModels.policy(lm), FakeModels.reward(),
                ServerConfig.builder().port(0).batching(64, Duration.ZERO, false).build());
        URI b = s.baseUri();
        List<CompletableFuture<Http.Res>> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String body = BODY.replace("\"seed\":1", "\"seed\":" + i);
            inFlight.add(CompletableFuture.supplyAsync(() -> Http.post(b, "/v1/completions", body)));
        }
        // all four admitted: one in the model, three in the batching queue
        await(() -> lm.entered.get() >= 1
                && Http.get(b, "/v1/qalign/metrics").json().get("admission").get("model_running").asInt() == 4);
        long t0 = System.nanoTime();
        s.stop();
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        for (CompletableFuture<Http.Res> f : inFlight) {
            Http.Res r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("choices").get(0).get("text").asText()).hasSize(4);
        }
        // four requests run one by one (batching off) at 400 ms each: stop() waited for them
        assertThat(lm.calls.get()).isEqualTo(4);
        assertThat(stopMillis).isGreaterThanOrEqualTo(800);
        assertThatThrownBy(() -> Http.post(b, "/v1/completions", BODY)).hasCauseInstanceOf(
                java.net.ConnectException.class);
    }

    @Test
    void requestsArrivingDuringShutdownGetTheOpenAiErrorShape() throws Exception {
        FakeModels.GatedModel lm = new FakeModels.GatedModel();
        lm.gate = new CountDownLatch(1);
        QalignServer s = QalignServer.start(FakeModels.policy(lm), FakeModels.reward(),
                ServerConfig.builder().port(0).build());
        URI b = s.baseUri();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        // a kept-alive connection opened before the stop can still deliver a request during the grace period
        assertThat(client.send(java.net.http.HttpRequest.newBuilder(b.resolve("/health")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        CompletableFuture<Http.Res> held = CompletableFuture.supplyAsync(() -> Http.post(b, "/v1/completions", BODY));
        await(() -> lm.entered.get() == 1);
        Thread stopper = new Thread(s::stop);
        stopper.start();
        Thread.sleep(200);
        java.net.http.HttpResponse<String> late = client.send(java.net.http.HttpRequest.newBuilder(
                b.resolve("/v1/models")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(Http.parse(late.body()).get("error").get("code").asText()).isEqualTo("shutting_down");
        lm.gate.countDown();
        assertThat(held.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        stopper.join(10_000);
        assertThat(stopper.isAlive()).isFalse();
    }
}
