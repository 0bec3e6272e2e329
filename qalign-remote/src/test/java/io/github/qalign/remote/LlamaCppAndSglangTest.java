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
 * The llama.cpp ({@code tools/server/README.md}: {@code POST /completion} with {@code tokens}, {@code stop_type},
 * {@code tokens_cached}, {@code timings}) and SGLang ({@code /generate}: {@code output_ids}, {@code meta_info})
 * dialects against a mock server.
 */
class LlamaCppAndSglangTest {

    private static final Prompt PROMPT = new Prompt("Once", TokenIds.of(1, 403, 407));
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

    private RemoteLanguageModel model(Dialect d) {
        return RemoteLanguageModel.builder().dialect(d).endpoint(server.url("/").toString())
                .codec(new TestSupport.IdCodec()).eosTokenIds(2).vocabSize(512)
                .options(TestSupport.fastOptions(sleeper, 2)).build();
    }

    /** A /completion response with the fields llama.cpp's server README documents. */
    static String llamaCpp(String tokens, String stopType, int cached, int evaluated, int promptN) {
        return """
                {"index":0,"content":" there was","tokens":%s,"id_slot":0,"stop":true,\
                "model":"stories260K.gguf","tokens_predicted":3,"tokens_evaluated":%d,\
                "generation_settings":{"n_predict":6,"seed":42,"temperature":1.0},"prompt":"<s> Once",\
                "has_new_line":false,"truncated":false,"stop_type":"%s","stopping_word":"",\
                "tokens_cached":%d,"timings":{"prompt_n":%d,"prompt_ms":0.8,"predicted_n":3,"predicted_ms":1.1}}"""
                .formatted(tokens, evaluated, stopType, cached, promptN);
    }

    @Test
    void llamaCppRequestIsTokenIdsWithEveryExtraSamplerOff() throws Exception {
        server.enqueue(json(200, llamaCpp("[300, 301, 2]", "eos", 7, 5, 2)));
        try (RemoteLanguageModel lm = model(Dialect.LLAMA_CPP)) {
            Generation g = lm.generate(List.of(new GenerationRequest(PROMPT, TokenIds.of(260, 261), 77L)),
                    SamplingConfig.builder().maxCompletionTokens(8).topK(40).build()).get(0);
            RecordedRequest r = take(server);
            assertThat(r.getUrl().encodedPath()).isEqualTo("/completion");
            JsonNode b = body(r);
            assertThat(ints(b.get("prompt"))).containsExactly(1, 403, 407, 260, 261);
            assertThat(b.get("n_predict").intValue()).isEqualTo(6);
            assertThat(b.get("seed").longValue()).isEqualTo(CompletionProtocol.llamaCppSeed(77L))
                    .isBetween(0L, 0xFFFFFFFEL);
            assertThat(b.get("temperature").doubleValue()).isEqualTo(1.0);
            assertThat(b.get("top_k").intValue()).isEqualTo(40);
            assertThat(b.get("top_p").doubleValue()).isEqualTo(1.0);
            assertThat(b.get("min_p").doubleValue()).isZero();
            assertThat(b.get("repeat_penalty").doubleValue()).isEqualTo(1.0);
            assertThat(b.get("dry_multiplier").doubleValue()).isZero();
            assertThat(b.get("xtc_probability").doubleValue()).isZero();
            assertThat(b.get("samplers").toString()).isEqualTo("[\"temperature\",\"top_k\",\"top_p\"]");
            assertThat(b.get("cache_prompt").booleanValue()).isTrue();
            assertThat(b.get("return_tokens").booleanValue()).isTrue();
            assertThat(g.completion()).isEqualTo(TokenIds.of(260, 261, 300, 301, 2));
            assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
            // timings.prompt_n: 2 of the 5 input ids computed, 3 from the slot's cache
            assertThat(g.usage()).isEqualTo(new TokenUsage(2, 3, 3));
        }
    }

    @Test
    void llamaCppEosStopWithoutTheIdGetsItAppended() {
        server.enqueue(json(200, llamaCpp("[300, 301]", "eos", 0, 3, 3)));
        try (RemoteLanguageModel lm = model(Dialect.LLAMA_CPP)) {
            Generation g = lm.generate(List.of(GenerationRequest.fresh(PROMPT, 1L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(8)).get(0);
            assertThat(g.completion()).isEqualTo(TokenIds.of(300, 301, 2));
            assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
        }
    }

    @Test
    void llamaCppContinuesPastEosIdsItDoesNotKnowAndTheSampleIsCutAtTheFirst() {
        // seen on llama-server b11669 with stories260K, whose generation_config lists EOS [2, 1] while the GGUF's
        // only EOG id is 2: the server generates BOS (1) mid-text and goes on
        server.enqueue(json(200, llamaCpp("[300, 1, 385, 328]", "limit", 0, 3, 3)));
        try (RemoteLanguageModel lm = RemoteLanguageModel.builder().dialect(Dialect.LLAMA_CPP)
                .endpoint(server.url("/").toString()).codec(new TestSupport.IdCodec()).eosTokenIds(2, 1)
                .vocabSize(512).options(TestSupport.fastOptions(sleeper, 1)).build()) {
            Generation g = lm.generate(List.of(GenerationRequest.fresh(PROMPT, 1L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(4)).get(0);
            assertThat(g.completion()).isEqualTo(TokenIds.of(300, 1));
            assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
            assertThat(g.usage().generatedTokens()).as("the server's work is counted").isEqualTo(4);
        }
    }

    @Test
    void llamaCppLimitAndTheDocumentedSlightOverrunAreCappedAtTheBudget() {
        server.enqueue(json(200, llamaCpp("[300, 301, 302, 303]", "limit", 0, 3, 3)));
        try (RemoteLanguageModel lm = model(Dialect.LLAMA_CPP)) {
            Generation g = lm.generate(List.of(GenerationRequest.fresh(PROMPT, 1L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(3)).get(0);
            assertThat(g.completion()).isEqualTo(TokenIds.of(300, 301, 302));
            assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void llamaCppStopOnAWordOrMissingTokensIsInvalid() {
        server.enqueue(json(200, llamaCpp("[300]", "word", 0, 3, 3)));
        server.enqueue(json(200, llamaCpp("[300]", "word", 0, 3, 3)));
        try (RemoteLanguageModel lm = model(Dialect.LLAMA_CPP)) {
            assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(PROMPT, 1L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(3)))
                    .isInstanceOf(RemoteException.class).hasMessageContaining("stop_type 'word'");
            server.enqueue(json(200, "{\"content\":\"x\",\"stop_type\":\"limit\"}"));
            server.enqueue(json(200, "{\"content\":\"x\",\"stop_type\":\"limit\"}"));
            assertThatThrownBy(() -> lm.generate(List.of(GenerationRequest.fresh(PROMPT, 1L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(3)))
                    .hasMessageContaining("'tokens' is missing: the server must honour 'return_tokens'");
        }
    }

    @Test
    void llamaCppNeedsEosIds() {
        assertThatThrownBy(() -> RemoteLanguageModel.builder().dialect(Dialect.LLAMA_CPP)
                .endpoint(server.url("/").toString()).codec(new TestSupport.IdCodec()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EOS ids");
    }

    @Test
    void sglangGenerateSendsInputIdsAndReadsOutputIdsAndMetaInfo() throws Exception {
        server.enqueue(json(200, """
                {"text":" there was","output_ids":[300,301],"meta_info":{"id":"5b1e","finish_reason":\
                {"type":"stop","matched":2},"prompt_tokens":5,"completion_tokens":3,"cached_tokens":4,\
                "e2e_latency":0.012}}"""));
        try (RemoteLanguageModel lm = model(Dialect.SGLANG)) {
            Generation g = lm.generate(List.of(new GenerationRequest(PROMPT, TokenIds.of(260, 261), 5L)),
                    SamplingConfig.builder().temperature(0.8).maxCompletionTokens(9).build()).get(0);
            RecordedRequest r = take(server);
            assertThat(r.getUrl().encodedPath()).isEqualTo("/generate");
            JsonNode b = body(r);
            assertThat(ints(b.get("input_ids"))).containsExactly(1, 403, 407, 260, 261);
            JsonNode sp = b.get("sampling_params");
            assertThat(sp.get("max_new_tokens").intValue()).isEqualTo(7);
            assertThat(sp.get("sampling_seed").longValue()).isEqualTo(5L);
            assertThat(sp.get("temperature").doubleValue()).isEqualTo(0.8);
            assertThat(sp.get("top_k").intValue()).isEqualTo(-1);
            assertThat(ints(sp.get("stop_token_ids"))).containsExactly(2);
            assertThat(g.completion()).isEqualTo(TokenIds.of(260, 261, 300, 301, 2));
            assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
            assertThat(g.usage()).isEqualTo(new TokenUsage(1, 4, 3));
        }
    }

    @Test
    void sglangLengthFinish() {
        server.enqueue(json(200, """
                {"text":"abc","output_ids":[300,301,302],"meta_info":{"id":"5b1f","finish_reason":\
                {"type":"length","length":3},"prompt_tokens":3,"completion_tokens":3,"cached_tokens":0}}"""));
        try (RemoteLanguageModel lm = model(Dialect.SGLANG)) {
            Generation g = lm.generate(List.of(GenerationRequest.fresh(PROMPT, 5L)),
                    SamplingConfig.defaults().withMaxCompletionTokens(3)).get(0);
            assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(g.usage()).isEqualTo(new TokenUsage(3, 0, 3));
        }
    }
}
