package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The vLLM-shaped model endpoints against the embedded stories260K models, checked against in-process calls. */
class ModelEndpointsTest {

    private static StoriesModels models;
    private static QalignServer server;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        models = new StoriesModels();
        server = QalignServer.start(models.serving.policy(), models.serving.reward(),
                ServerConfig.builder().port(0).build());
        base = server.baseUri();
    }

    @AfterAll
    static void stop() {
        server.stop();
        models.close();
    }

    private static int[] ids(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).intValue();
        }
        return out;
    }

    @Test
    void tokenIdPromptGivesTheInProcessContinuationForTheSameSeed() {
        int[] prompt = models.lm.prompt("Once upon a time").ids().toArray();
        String body = "{\"model\":\"stories260k\",\"prompt\":" + java.util.Arrays.toString(prompt)
                + ",\"max_tokens\":24,\"seed\":1234,\"return_token_ids\":true}";
        Http.Res res = Http.post(base, "/v1/completions", body);
        assertThat(res.status()).as(res.text()).isEqualTo(200);
        JsonNode j = res.json();
        assertThat(j.get("object").asText()).isEqualTo("text_completion");
        assertThat(j.get("model").asText()).isEqualTo("stories260k");
        JsonNode c = j.get("choices").get(0);
        Generation expected = models.lm.generate(List.of(GenerationRequest.fresh(
                new Prompt("x", TokenIds.of(prompt)), 1234)), SamplingConfig.defaults().withMaxCompletionTokens(24))
                .get(0);
        assertThat(ids(c.get("token_ids"))).containsExactly(expected.continuation().toArray());
        assertThat(ids(c.get("prompt_token_ids"))).containsExactly(prompt);
        assertThat(c.get("text").asText()).isEqualTo(expected.text());
        assertThat(c.get("finish_reason").asText())
                .isEqualTo(expected.finishReason() == FinishReason.EOS ? "stop" : "length");
        assertThat(c.get("stop_reason").isNull()).isTrue();
        JsonNode u = j.get("usage");
        assertThat(u.get("prompt_tokens").asInt()).isEqualTo(prompt.length);
        assertThat(u.get("completion_tokens").asInt()).isEqualTo(expected.continuation().length());
        assertThat(u.get("total_tokens").asInt()).isEqualTo(prompt.length + expected.continuation().length());
        assertThat(u.get("prompt_tokens_details").get("cached_tokens").isIntegralNumber()).isTrue();
    }

    @Test
    void repeatedPromptReportsThePrefixPoolsReusedTokensAsCached() {
        int[] prompt = models.lm.prompt("The little dog ran to the park and").ids().toArray();
        String body = "{\"prompt\":" + java.util.Arrays.toString(prompt) + ",\"max_tokens\":4,\"seed\":5}";
        Http.post(base, "/v1/completions", body);
        JsonNode u = Http.post(base, "/v1/completions", body).json().get("usage");
        // the whole prompt is in the KV pool after the first call: all but the last token are reused (the last
        // position is recomputed to get the next-token logits)
        assertThat(u.get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(prompt.length - 1);
    }

    @Test
    void textPromptIsTokenizedWithSpecialTokensAndSameSeedRepeats() {
        String body = "{\"prompt\":\"Lily saw a cat\",\"max_tokens\":12,\"seed\":99,\"n\":3,\"return_token_ids\":true}";
        JsonNode a = Http.post(base, "/v1/completions", body).json();
        JsonNode b = Http.post(base, "/v1/completions", body).json();
        assertThat(a.get("choices")).hasSize(3);
        int[] expectedPrompt = models.serving.policy().codec().encode("Lily saw a cat", true);
        assertThat(ids(a.get("choices").get(0).get("prompt_token_ids"))).containsExactly(expectedPrompt);
        assertThat(a.get("usage").get("prompt_tokens").asInt()).isEqualTo(expectedPrompt.length);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(a.get("choices").get(i).get("index").asInt()).isEqualTo(i);
            assertThat(ids(a.get("choices").get(i).get("token_ids")))
                    .containsExactly(ids(b.get("choices").get(i).get("token_ids")));
            texts.add(a.get("choices").get(i).get("text").asText());
        }
        // choice i uses seed + i: choice 1 of seed 99 is choice 0 of seed 100
        JsonNode c = Http.post(base, "/v1/completions", body.replace("\"seed\":99", "\"seed\":100")
                .replace("\"n\":3", "\"n\":1")).json();
        assertThat(c.get("choices").get(0).get("text").asText()).isEqualTo(texts.get(1));
    }

    @Test
    void greedyIsTheSameForEverySeedAndStopTokenIdsCutTheContinuation() {
        String greedy = "{\"prompt\":\"Tom had a red ball\",\"max_tokens\":20,\"temperature\":0,\"seed\":%d,"
                + "\"return_token_ids\":true%s}";
        int[] a = ids(Http.post(base, "/v1/completions", String.format(greedy, 1, "")).json()
                .get("choices").get(0).get("token_ids"));
        int[] b = ids(Http.post(base, "/v1/completions", String.format(greedy, 2, "")).json()
                .get("choices").get(0).get("token_ids"));
        assertThat(a).containsExactly(b);
        assertThat(a.length).isGreaterThan(3);
        int stop = a[2];
        int first = 0;
        while (a[first] != stop) {
            first++;
        }
        JsonNode c = Http.post(base, "/v1/completions", String.format(greedy, 3, ",\"stop_token_ids\":[" + stop
                + "]")).json().get("choices").get(0);
        assertThat(ids(c.get("token_ids"))).containsExactly(java.util.Arrays.copyOf(a, first + 1));
        assertThat(c.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(c.get("stop_reason").asInt()).isEqualTo(stop);
    }

    @Test
    void batchOfPromptsListsChoicesPromptMajor() {
        JsonNode j = Http.post(base, "/v1/completions", "{\"prompt\":[\"A cat\",\"A dog\"],\"n\":2,\"max_tokens\":3,"
                + "\"seed\":3,\"return_token_ids\":true}").json();
        assertThat(j.get("choices")).hasSize(4);
        int[] dog = models.serving.policy().codec().encode("A dog", true);
        assertThat(ids(j.get("choices").get(2).get("prompt_token_ids"))).containsExactly(dog);
        assertThat(j.get("usage").get("prompt_tokens").asInt())
                .isEqualTo(dog.length + models.serving.policy().codec().encode("A cat", true).length);
    }

    @Test
    void classifyReturnsTheRawLogitWithoutActivationAndItsSigmoidWith() {
        int[] input = models.lm.prompt("The sun was warm and happy").ids().toArray();
        double logit = models.rm.score(new RewardRequest(new Prompt("", TokenIds.of(input)), TokenIds.empty(), ""))
                .value();
        String ids = java.util.Arrays.toString(input);
        JsonNode raw = Http.post(base, "/classify", "{\"model\":\"stories260k-rm\",\"input\":" + ids
                + ",\"use_activation\":false}").json();
        assertThat(raw.get("object").asText()).isEqualTo("list");
        JsonNode d = raw.get("data").get(0);
        assertThat(d.get("index").asInt()).isZero();
        assertThat(d.get("num_classes").asInt()).isEqualTo(1);
        assertThat(d.get("label").asText()).isEqualTo("LABEL_0");
        assertThat(d.get("probs").get(0).asDouble()).isCloseTo(logit, within(1e-4));
        JsonNode act = Http.post(base, "/classify", "{\"model\":\"stories260k-rm\",\"input\":[" + ids + "," + ids
                + "]}").json();
        assertThat(act.get("data")).hasSize(2);
        assertThat(act.get("data").get(1).get("probs").get(0).asDouble())
                .isCloseTo(1 / (1 + Math.exp(-logit)), within(1e-4));
        assertThat(act.get("usage").get("prompt_tokens").asInt()).isEqualTo(2 * input.length);
        JsonNode text = Http.post(base, "/classify", "{\"input\":\"The sun was warm\",\"use_activation\":false}")
                .json();
        int[] enc = models.serving.reward().codec().encode("The sun was warm", true);
        double expected = models.rm.score(new RewardRequest(new Prompt("", TokenIds.of(enc)), TokenIds.empty(), ""))
                .value();
        assertThat(text.get("model").asText()).isEqualTo("stories260k-rm");
        assertThat(text.get("data").get(0).get("probs").get(0).asDouble()).isCloseTo(expected, within(1e-4));
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        JsonNode t = Http.post(base, "/tokenize", "{\"model\":\"stories260k\",\"prompt\":\"Hello there\"}").json();
        int[] expected = models.serving.policy().codec().encode("Hello there", true);
        assertThat(ids(t.get("tokens"))).containsExactly(expected);
        assertThat(t.get("count").asInt()).isEqualTo(expected.length);
        assertThat(t.get("max_model_len").asInt()).isEqualTo(StoriesModels.CONTEXT);
        JsonNode noSpecial = Http.post(base, "/tokenize", "{\"prompt\":\"Hello there\",\"add_special_tokens\":false}")
                .json();
        assertThat(noSpecial.get("count").asInt()).isEqualTo(expected.length - 1);
        JsonNode chat = Http.post(base, "/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .json();
        assertThat(ids(chat.get("tokens"))).containsExactly(models.lm.prompt("Hi").ids().toArray());
        JsonNode d = Http.post(base, "/detokenize", "{\"tokens\":" + java.util.Arrays.toString(
                ids(noSpecial.get("tokens"))) + "}").json();
        assertThat(d.get("prompt").asText()).isEqualTo("Hello there");
    }

    @Test
    void modelsAndHealth() {
        JsonNode m = Http.get(base, "/v1/models").json();
        assertThat(m.get("object").asText()).isEqualTo("list");
        assertThat(m.get("data")).hasSize(2);
        assertThat(m.get("data").get(0).get("id").asText()).isEqualTo("stories260k");
        assertThat(m.get("data").get(0).get("object").asText()).isEqualTo("model");
        assertThat(m.get("data").get(0).get("max_model_len").asInt()).isEqualTo(StoriesModels.CONTEXT);
        assertThat(m.get("data").get(1).get("id").asText()).isEqualTo("stories260k-rm");
        Http.Res h = Http.get(base, "/health");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.text()).isEmpty();
        JsonNode metrics = Http.get(base, "/v1/qalign/metrics").json();
        assertThat(metrics.get("policy_batches").get("batches").asLong()).isPositive();
    }
}
