package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.model.TokenUsage;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static io.github.qalign.remote.TestSupport.body;
import static io.github.qalign.remote.TestSupport.ints;
import static io.github.qalign.remote.TestSupport.json;
import static io.github.qalign.remote.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vLLM dialect against a mock server answering with vLLM's documented {@code CompletionResponse} shape
 * ({@code vllm/entrypoints/openai/completion/protocol.py}: {@code choices[].token_ids}, {@code finish_reason},
 * {@code stop_reason}, {@code usage.prompt_tokens_details.cached_tokens}).
 */
class VllmCompletionsTest {

    private static final int EOS = 2;
    private MockWebServer server;
    private TestSupport.RecordingSleeper sleeper;
    private RemoteLanguageModel lm;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        sleeper = new TestSupport.RecordingSleeper();
        lm = RemoteLanguageModel.builder().endpoint(server.url("/v1").toString()).model("allenai/Llama-3.1-Tulu-3-8B-SFT")
                .codec(new TestSupport.IdCodec()).eosTokenIds(EOS, 3).vocabSize(1000)
                .options(TestSupport.fastOptions(sleeper, 3)).build();
    }

    @AfterEach
    void stop() {
        lm.close();
        server.close();
    }

    /** A response body exactly in vLLM's CompletionResponse shape. */
    static String response(String finish, String stopReason, String tokenIds, int promptTokens, int completionTokens,
                           int cached) {
        return """
                {"id":"cmpl-7f3c2a","object":"text_completion","created":1764500000,\
                "model":"allenai/Llama-3.1-Tulu-3-8B-SFT","choices":[{"index":0,"text":" once upon",\
                "logprobs":null,"finish_reason":"%s","stop_reason":%s,"token_ids":%s,"prompt_logprobs":null,\
                "prompt_token_ids":null}],"service_tier":null,"system_fingerprint":null,\
                "usage":{"prompt_tokens":%d,"total_tokens":%d,"completion_tokens":%d,\
                "prompt_tokens_details":{"cached_tokens":%d}},"kv_transfer_params":null}"""
                .formatted(finish, stopReason, tokenIds, promptTokens, promptTokens + completionTokens,
                        completionTokens, cached);
    }

    @Test
    void sendsPromptIdsThenKeptPrefixWithBudgetSeedStopIdsAndExplicitSampling() throws Exception {
        server.enqueue(json(200, response("stop", "null", "[40, 41, 2]", 5, 3, 4)));
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        SamplingConfig cfg = SamplingConfig.builder().temperature(0.7).maxCompletionTokens(8).topP(0.9).build();
        List<Generation> g = lm.generate(List.of(new GenerationRequest(p, TokenIds.of(20, 21), 1234L)), cfg);

        RecordedRequest r = take(server);
        assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/completions");
        JsonNode b = body(r);
        assertThat(ints(b.get("prompt"))).containsExactly(10, 11, 12, 20, 21);
        assertThat(b.get("max_tokens").intValue()).isEqualTo(6);
        assertThat(b.get("seed").longValue()).isEqualTo(1234L);
        assertThat(b.get("n").intValue()).isEqualTo(1);
        assertThat(ints(b.get("stop_token_ids"))).containsExactly(2, 3);
        assertThat(b.get("temperature").doubleValue()).isEqualTo(0.7);
        assertThat(b.get("top_p").doubleValue()).isEqualTo(0.9);
        assertThat(b.get("top_k").intValue()).isEqualTo(-1);
        assertThat(b.get("min_p").doubleValue()).isZero();
        assertThat(b.get("repetition_penalty").doubleValue()).isEqualTo(1.0);
        assertThat(b.get("return_token_ids").booleanValue()).isTrue();
        assertThat(b.get("model").asText()).isEqualTo("allenai/Llama-3.1-Tulu-3-8B-SFT");

        Generation out = g.get(0);
        assertThat(out.completion()).isEqualTo(TokenIds.of(20, 21, 40, 41, 2));
        assertThat(out.prefixLength()).isEqualTo(2);
        assertThat(out.finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(out.usage()).isEqualTo(new TokenUsage(1, 4, 3));
        assertThat(out.text()).isEqualTo("<20><21><40><41><2>");
    }

    @Test
    void lengthFinishFillsTheBudget() throws Exception {
        server.enqueue(json(200, response("length", "null", "[7, 8, 9]", 3, 3, 0)));
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        Generation g = lm.generate(List.of(GenerationRequest.fresh(p, 5L)),
                SamplingConfig.defaults().withMaxCompletionTokens(3)).get(0);
        assertThat(g.completion()).isEqualTo(TokenIds.of(7, 8, 9));
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.usage()).isEqualTo(new TokenUsage(3, 0, 3));
    }

    @Test
    void stopOnAStopTokenIdThatTheServerLeftOutIsAppendedFromStopReason() throws Exception {
        server.enqueue(json(200, response("stop", "3", "[7, 8]", 3, 3, 0)));
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        Generation g = lm.generate(List.of(GenerationRequest.fresh(p, 5L)),
                SamplingConfig.defaults().withMaxCompletionTokens(10)).get(0);
        assertThat(g.completion()).isEqualTo(TokenIds.of(7, 8, 3));
        assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
    }

    @Test
    void prefixAtTheCapNeedsNoRequest() {
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        Generation g = lm.generate(List.of(new GenerationRequest(p, TokenIds.of(5, 6), 1L)),
                SamplingConfig.defaults().withMaxCompletionTokens(2)).get(0);
        assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(g.completion()).isEqualTo(TokenIds.of(5, 6));
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void freshSamplesWithConsecutiveSeedsGoAsOneRequestWithN() throws Exception {
        RemoteLanguageModel withN = RemoteLanguageModel.builder().endpoint(server.url("/").toString())
                .codec(new TestSupport.IdCodec()).eosTokenIds(EOS).vocabSize(1000).useN(true)
                .options(TestSupport.fastOptions(sleeper, 1)).build();
        try (withN) {
            String grouped = """
                    {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[\
                    {"index":1,"text":"b","logprobs":null,"finish_reason":"stop","stop_reason":null,"token_ids":[5,2]},\
                    {"index":0,"text":"a","logprobs":null,"finish_reason":"length","stop_reason":null,"token_ids":[4,4]}],\
                    "usage":{"prompt_tokens":2,"total_tokens":6,"completion_tokens":4,\
                    "prompt_tokens_details":{"cached_tokens":0}}}""";
            String single = response("length", "null", "[9, 9]", 2, 2, 2);
            List<JsonNode> bodies = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            server.setDispatcher(new mockwebserver3.Dispatcher() {
                @Override
                public mockwebserver3.MockResponse dispatch(RecordedRequest r) {
                    try {
                        JsonNode b = body(r);
                        bodies.add(b);
                        return json(200, b.get("n").intValue() == 2 ? grouped : single);
                    } catch (IOException e) {
                        return json(500, "{}");
                    }
                }
            });
            Prompt p = new Prompt("x", TokenIds.of(30, 31));
            List<Generation> g = withN.generate(List.of(GenerationRequest.fresh(p, 100), GenerationRequest.fresh(p, 101),
                    GenerationRequest.fresh(p, 7)), SamplingConfig.defaults().withMaxCompletionTokens(2));
            assertThat(bodies).hasSize(2);
            JsonNode g2 = bodies.get(0).get("n").intValue() == 2 ? bodies.get(0) : bodies.get(1);
            JsonNode g1 = g2 == bodies.get(0) ? bodies.get(1) : bodies.get(0);
            assertThat(g2.get("seed").longValue()).isEqualTo(100);
            assertThat(g1.get("n").intValue()).isEqualTo(1);
            assertThat(g1.get("seed").longValue()).isEqualTo(7);
            // choices are matched by index, not by array position
            assertThat(g.get(0).completion()).isEqualTo(TokenIds.of(4, 4));
            assertThat(g.get(1).completion()).isEqualTo(TokenIds.of(5, 2));
            assertThat(g.get(1).usage()).isEqualTo(new TokenUsage(0, 2, 2));
            assertThat(g.get(2).completion()).isEqualTo(TokenIds.of(9, 9));
        }
    }

    @Test
    void wrongNumberOfChoicesIsRetriedThenOneClearError() {
        String two = response("length", "null", "[1, 1]", 3, 2, 0).replace("\"choices\":[{",
                "\"choices\":[{\"index\":1,\"text\":\"\",\"finish_reason\":\"length\",\"token_ids\":[1,1]},{");
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, two));
        }
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)),
                SamplingConfig.defaults().withMaxCompletionTokens(2)))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining(server.url("/v1/completions").toString())
                .hasMessageContaining("expected 1 choice, got 2")
                .hasMessageContaining("HTTP 200").hasMessageContaining("after 3 attempts")
                .hasMessageContaining("body starts: {\"id\":\"cmpl-7f3c2a\"");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(sleeper.waits).hasSize(2);
    }

    @Test
    void idsOutsideTheVocabularyAndEosInTheMiddleAreRejected() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, response("length", "null", "[1, 1000]", 3, 2, 0)));
        }
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(2);
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)), cfg))
                .isInstanceOf(RemoteException.class)
                .hasMessageContaining("'choices[0].token_ids[1]' = 1000 is outside [0, 999]");
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, response("length", "null", "[2, 1]", 3, 2, 0)));
        }
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)), cfg))
                .isInstanceOf(RemoteException.class).hasMessageContaining("EOS id 2 at position 0");
    }

    @Test
    void moreTokensThanAskedOrAShortLengthStopOrChangedPromptAreRejected() {
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(2);
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, response("length", "null", "[1, 1, 1]", 3, 3, 0)));
        }
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)), cfg))
                .hasMessageContaining("3 tokens returned, at most 2 were asked for");
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, response("length", "null", "[1]", 3, 1, 0)));
        }
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)), cfg))
                .hasMessageContaining("stopped by length after 1 of 2 tokens");
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(200, response("length", "null", "[1, 1]", 4, 2, 0)));
        }
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)), cfg))
                .hasMessageContaining("usage counts 4 prompt tokens, but 3 ids were sent");
    }

    @Test
    void aRejectedRequestIsNotRetried() {
        server.enqueue(json(400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\","
                + "\"type\":\"BadRequestError\",\"param\":null,\"code\":400}}"));
        Prompt p = new Prompt("hi", TokenIds.of(10, 11, 12));
        assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(p, 5L)),
                SamplingConfig.defaults().withMaxCompletionTokens(2)))
                .isInstanceOf(RemoteException.class).hasMessageContaining("HTTP 400")
                .hasMessageContaining("after 1 attempt").hasMessageContaining("maximum context length");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }
}
