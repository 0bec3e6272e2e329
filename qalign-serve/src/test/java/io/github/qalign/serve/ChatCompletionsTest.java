package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.compute.ComputeUsage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.ScoredSample;
import io.github.qalign.sampler.IndependentResult;
import io.github.qalign.sampler.IndependentSampler;
import io.github.qalign.sampler.QAlignResult;
import io.github.qalign.sampler.QAlignSampler;
import io.github.qalign.select.BestOfN;
import io.github.qalign.select.Mbr;
import io.github.qalign.select.Weighting;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alignment endpoint gives exactly what the core samplers give in-process with the same seed, counts every
 * token they computed, and reports progress as server-sent events.
 */
class ChatCompletionsTest {

    private static StoriesModels models;
    private static QalignServer server;
    private static URI base;
    private static final String USER = "Once upon a time there was a happy dog";

    @BeforeAll
    static void start() throws Exception {
        models = new StoriesModels();
        server = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).defaultBeta(0.5).build());
        base = server.baseUri();
    }

    @AfterAll
    static void stop() {
        server.stop();
        models.close();
    }

    private static String request(String qalign) {
        return "{\"model\":\"stories260k\",\"messages\":[{\"role\":\"user\",\"content\":\"" + USER + "\"}],"
                + "\"max_tokens\":24,\"qalign\":" + qalign + "}";
    }

    private static void assertUsage(JsonNode res, ComputeUsage expected) {
        JsonNode u = res.get("usage");
        JsonNode q = res.get("qalign").get("usage");
        long lmIn = expected.lm().computedInputTokens() + expected.lm().reusedInputTokens();
        long rmIn = expected.rm().computedInputTokens() + expected.rm().reusedInputTokens();
        assertThat(u.get("completion_tokens").asLong()).isEqualTo(expected.lm().generatedTokens());
        assertThat(u.get("prompt_tokens").asLong()).isEqualTo(lmIn + rmIn);
        assertThat(u.get("total_tokens").asLong()).isEqualTo(lmIn + rmIn + expected.lm().generatedTokens());
        // the computed/reused split depends on what the KV pools held (the in-process run came second); the
        // server's cached_tokens are exactly its own reused counts
        assertThat(u.get("prompt_tokens_details").get("cached_tokens").asLong())
                .isEqualTo(q.get("policy").get("reused_input_tokens").asLong()
                        + q.get("reward").get("reused_input_tokens").asLong())
                .isLessThanOrEqualTo(u.get("prompt_tokens").asLong());
        assertThat(q.get("policy").get("computed_input_tokens").asLong()
                + q.get("policy").get("reused_input_tokens").asLong()).isEqualTo(lmIn);
        assertThat(q.get("policy").get("generated_tokens").asLong()).isEqualTo(expected.lm().generatedTokens());
        assertThat(q.get("reward").get("computed_input_tokens").asLong()).isPositive();
        assertThat(res.get("qalign").get("flops").get("total").asDouble()).isPositive();
    }

    @Test
    void qalignAnswerIsTheCoreSamplersMbrPickForTheSameSeed() {
        Http.Res r = Http.post(base, "/v1/chat/completions", request("{\"method\":\"qalign\",\"budget\":8,"
                + "\"beta\":0.5,\"seed\":42}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("object").asText()).isEqualTo("chat.completion");
        JsonNode choice = j.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");

        Prompt prompt = models.lm.prompt(USER);
        QAlignResult expected = QAlignSampler.builder().languageModel(models.lm).rewardModel(models.rm).beta(0.5)
                .steps(7).sampling(SamplingConfig.defaults().withMaxCompletionTokens(24)).build()
                .run(prompt, new SplittableRandom(42));
        List<ScoredSample> samples = expected.prompt(0).samples();
        int pick = Mbr.rouge1(Weighting.uniform()).select(samples).index();
        assertThat(choice.get("message").get("content").asText()).isEqualTo(samples.get(pick).text());
        JsonNode q = j.get("qalign");
        assertThat(q.get("method").asText()).isEqualTo("qalign");
        assertThat(q.get("beta").asDouble()).isEqualTo(0.5);
        assertThat(q.get("steps").asInt()).isEqualTo(7);
        assertThat(q.get("samples").asInt()).isEqualTo(8);
        assertThat(q.get("selected_index").asInt()).isEqualTo(pick);
        assertThat(q.get("acceptance_rate").asDouble()).isCloseTo(expected.acceptanceRate(), within(1e-12));
        assertThat(q.get("ess").asDouble()).isPositive();
        assertThat(q.get("reward").asDouble()).isCloseTo(samples.get(pick).reward(), within(1e-5));
        assertUsage(j, expected.usage());

        // same seed, same answer (and same usage shape) on a second call
        JsonNode again = Http.post(base, "/v1/chat/completions", request("{\"method\":\"qalign\",\"budget\":8,"
                + "\"beta\":0.5,\"seed\":42}")).json();
        assertThat(again.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(choice.get("message").get("content").asText());
    }

    @Test
    void bestOfNAndTheVotesUseTheCoreSelectors() {
        JsonNode j = Http.post(base, "/v1/chat/completions", request("{\"method\":\"bon\",\"budget\":6,"
                + "\"seed\":7}")).json();
        Prompt prompt = models.lm.prompt(USER);
        IndependentResult ind = IndependentSampler.builder().languageModel(models.lm).rewardModel(models.rm)
                .samplesPerPrompt(6).sampling(SamplingConfig.defaults().withMaxCompletionTokens(24)).build()
                .run(prompt, new SplittableRandom(7));
        List<ScoredSample> samples = ind.prompt(0).samples();
        int best = new BestOfN().select(samples).index();
        assertThat(j.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(samples.get(best).text());
        assertThat(j.get("qalign").get("acceptance_rate").isNull()).isTrue();
        assertThat(j.get("qalign").get("beta").isNull()).isTrue();
        assertUsage(j, ind.usage());

        for (String m : List.of("mv", "wmv", "mbr")) {
            Http.Res r = Http.post(base, "/v1/chat/completions", request("{\"method\":\"" + m + "\",\"budget\":6,"
                    + "\"seed\":7,\"beta\":2}"));
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode q = r.json().get("qalign");
            assertThat(q.get("method").asText()).isEqualTo(m);
            int idx = q.get("selected_index").asInt();
            assertThat(r.json().get("choices").get(0).get("message").get("content").asText())
                    .isEqualTo(samples.get(idx).text());
            if (!m.equals("mbr")) {
                assertThat(q.get("answer").asText()).isEqualTo(io.github.qalign.answer.AnswerExtractor.identity()
                        .extract(samples.get(idx).text()).orElseThrow());
            }
        }
    }

    @Test
    void aBudgetOfOneIsTheInitialSampleWithNoAcceptanceRate() {
        Http.Res r = Http.post(base, "/v1/chat/completions", request("{\"budget\":1,\"seed\":4}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode q = r.json().get("qalign");
        assertThat(q.get("steps").asInt()).isZero();
        assertThat(q.get("samples").asInt()).isEqualTo(1);
        assertThat(q.get("acceptance_rate").isNull()).isTrue();
    }

    @Test
    void settingsMayComeAsHeadersAndTargetAcceptanceTunesBeta() {
        Http.Res r = Http.post(base, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + USER + "\"}],\"max_tokens\":16,\"seed\":3}", Map.of("X-QAlign-Method", "bon",
                "X-QAlign-Budget", "3"));
        JsonNode q = r.json().get("qalign");
        assertThat(q.get("method").asText()).isEqualTo("bon");
        assertThat(q.get("budget").asInt()).isEqualTo(3);
        assertThat(q.get("seed").asLong()).isEqualTo(3);

        JsonNode t = Http.post(base, "/v1/chat/completions", request("{\"budget\":4,\"target_acceptance\":0.5,"
                + "\"seed\":1}")).json().get("qalign");
        assertThat(t.get("beta_tuning").get("target_acceptance").asDouble()).isEqualTo(0.5);
        assertThat(t.get("beta_tuning").get("evaluations").asInt()).isPositive();
        assertThat(t.get("beta").asDouble()).isPositive();
    }

    @Test
    void progressComesAsServerSentEventsThenTheResult() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request("{\"budget\":5,\"seed\":9,\"progress\":true}")))
                .build();
        Http.Res r = Http.send(req);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = new ArrayList<>();
        List<JsonNode> data = new ArrayList<>();
        String event = null;
        for (String line : r.text().split("\n")) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                events.add(event == null ? "message" : event);
                String d = line.substring(6);
                data.add(d.equals("[DONE]") ? null : Http.parse(d));
                event = null;
            }
        }
        assertThat(events).containsExactly("progress", "progress", "progress", "progress", "progress", "result",
                "message");
        for (int s = 0; s <= 4; s++) {
            assertThat(data.get(s).get("step").asInt()).isEqualTo(s);
            assertThat(data.get(s).get("total_steps").asInt()).isEqualTo(4);
        }
        JsonNode result = data.get(5);
        assertThat(result.get("object").asText()).isEqualTo("chat.completion");
        JsonNode plain = Http.post(base, "/v1/chat/completions", request("{\"budget\":5,\"seed\":9}")).json();
        assertThat(result.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(plain.get("choices").get(0).get("message").get("content").asText());
        assertThat(data.get(6)).isNull();
    }
}
