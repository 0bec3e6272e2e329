package io.github.qalign.remote;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
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
import static org.assertj.core.api.Assertions.within;

/**
 * Reward models: vLLM's {@code /classify} ({@code ClassificationResponse}: {@code data[{index, label, probs,
 * num_classes}]}, {@code usage}) with {@code use_activation: false}, and llama.cpp's {@code /embedding}
 * ({@code [{index, embedding: [[...]]}]}) with a score head.
 */
class RewardModelTest {

    private static final Prompt PROMPT = new Prompt("hi", TokenIds.of(10, 11));
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

    static String classify(String data) {
        return """
                {"id":"classify-7c87cac407b749a6935d8c7ce2a8fba2","object":"list","created":1745383065,\
                "model":"allenai/Llama-3.1-Tulu-3-8B-RM","data":%s,\
                "usage":{"prompt_tokens":10,"total_tokens":10,"completion_tokens":0,"prompt_tokens_details":null}}"""
                .formatted(data);
    }

    private RemoteRewardModel.Builder vllm() {
        return RemoteRewardModel.builder().endpoint(server.url("/").toString()).model("allenai/Llama-3.1-Tulu-3-8B-RM")
                .options(TestSupport.fastOptions(sleeper, 2));
    }

    @Test
    void classifySendsEveryInputInOneRequestWithUseActivationFalseAndReadsRawLogitsByIndex() throws Exception {
        server.enqueue(json(200, classify("""
                [{"index":1,"label":"LABEL_0","probs":[-3.25],"num_classes":1},\
                {"index":0,"label":"LABEL_0","probs":[4.5],"num_classes":1}]""")));
        try (RemoteRewardModel rm = vllm().policyIds().build()) {
            List<Reward> r = rm.score(List.of(new RewardRequest(PROMPT, TokenIds.of(20, 21), "a"),
                    new RewardRequest(PROMPT, TokenIds.of(22), "b")));
            RecordedRequest req = take(server);
            assertThat(req.getUrl().encodedPath()).isEqualTo("/classify");
            JsonNode b = body(req);
            assertThat(b.get("use_activation").booleanValue()).isFalse();
            assertThat(b.has("activation")).isFalse();
            assertThat(b.get("model").asText()).isEqualTo("allenai/Llama-3.1-Tulu-3-8B-RM");
            assertThat(b.get("input")).hasSize(2);
            assertThat(ints(b.get("input").get(0))).containsExactly(10, 11, 20, 21);
            assertThat(ints(b.get("input").get(1))).containsExactly(10, 11, 22);
            assertThat(r.get(0).value()).isEqualTo(4.5);
            assertThat(r.get(1).value()).isEqualTo(-3.25);
            assertThat(r.get(0).usage()).isEqualTo(new TokenUsage(4, 0, 0));
        }
    }

    @Test
    void theRewardModelsOwnTokenizerRendersTheConversationAndTheCompletionText() throws Exception {
        server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"LABEL_0\",\"probs\":[1.0],\"num_classes\":1}]")));
        try (RemoteRewardModel rm = vllm().codec(new TestSupport.IdCodec()).build()) {
            Prompt p = Prompt.ofMessages(List.of(ChatMessage.user("ab")), TokenIds.of(900, 901));
            rm.score(List.of(new RewardRequest(p, TokenIds.of(5, 6), "c")));
            // IdCodec.encodeExchange("ab", "c") = code points of "ab" then of "c"; the policy ids are not used
            assertThat(ints(body(take(server)).get("input").get(0))).containsExactly('a', 'b', 'c');
        }
    }

    @Test
    void batchesAreSplitAndTheLegacyFlagCanBeSent() throws Exception {
        for (int i = 0; i < 2; i++) {
            server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"LABEL_0\",\"probs\":[0.5],\"num_classes\":1},"
                    + "{\"index\":1,\"label\":\"LABEL_0\",\"probs\":[0.5],\"num_classes\":1}]")));
        }
        try (RemoteRewardModel rm = vllm().policyIds().batchSize(2).legacyActivationFlag(true).build()) {
            List<RewardRequest> four = List.of(new RewardRequest(PROMPT, TokenIds.of(1), ""),
                    new RewardRequest(PROMPT, TokenIds.of(2), ""), new RewardRequest(PROMPT, TokenIds.of(3), ""),
                    new RewardRequest(PROMPT, TokenIds.of(4), ""));
            assertThat(rm.score(four)).hasSize(4);
            JsonNode b = body(take(server));
            assertThat(b.get("input")).hasSize(2);
            assertThat(b.get("activation").booleanValue()).isFalse();
            assertThat(b.has("use_activation")).isFalse();
            assertThat(server.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void nonFiniteScoresMissingResultsAndExtraClassesAreRejected() {
        try (RemoteRewardModel rm = vllm().policyIds().build()) {
            RewardRequest one = new RewardRequest(PROMPT, TokenIds.of(1), "");
            server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"LABEL_0\",\"probs\":[1e999],\"num_classes\":1}]")));
            server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"LABEL_0\",\"probs\":[1e999],\"num_classes\":1}]")));
            assertThatThrownBy(() -> rm.score(List.of(one))).isInstanceOf(RemoteException.class)
                    .hasMessageContaining("'data[0].probs[0]' is Infinity");
            server.enqueue(json(200, classify("[]")));
            server.enqueue(json(200, classify("[]")));
            assertThatThrownBy(() -> rm.score(List.of(one))).hasMessageContaining("expected 1 results in 'data', got 0");
            server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"x\",\"probs\":[0.1,0.9],\"num_classes\":3}]")));
            server.enqueue(json(200, classify("[{\"index\":0,\"label\":\"x\",\"probs\":[0.1,0.9],\"num_classes\":3}]")));
            assertThatThrownBy(() -> rm.score(List.of(one))).hasMessageContaining("num_classes 3 differs");
        }
    }

    @Test
    void llamaCppEmbeddingTimesTheScoreHeadIsTheReward() throws Exception {
        server.enqueue(json(200, "[{\"index\":0,\"embedding\":[[0.5,-1.0,2.0]]}]"));
        try (RemoteRewardModel rm = RemoteRewardModel.builder().dialect(Dialect.LLAMA_CPP)
                .endpoint(server.url("/").toString()).policyIds().scoreHead(ScoreHead.of(2f, 0.25f, -1f))
                .options(TestSupport.fastOptions(sleeper, 2)).build()) {
            Reward r = rm.score(new RewardRequest(PROMPT, TokenIds.of(7, 2), ""));
            assertThat(r.value()).isCloseTo(2 * 0.5 - 0.25 - 2.0, within(1e-12));
            RecordedRequest req = take(server);
            assertThat(req.getUrl().encodedPath()).isEqualTo("/embedding");
            JsonNode b = body(req);
            assertThat(ints(b.get("content"))).containsExactly(10, 11, 7, 2);
            assertThat(b.get("embd_normalize").intValue()).isEqualTo(-1);
        }
    }

    @Test
    void llamaCppUnpooledOrWrongWidthEmbeddingsAreRejected() {
        try (RemoteRewardModel rm = RemoteRewardModel.builder().dialect(Dialect.LLAMA_CPP)
                .endpoint(server.url("/").toString()).policyIds().scoreHead(ScoreHead.of(1f, 1f, 1f))
                .options(TestSupport.fastOptions(sleeper, 1)).build()) {
            RewardRequest one = new RewardRequest(PROMPT, TokenIds.of(1), "");
            server.enqueue(json(200, "[{\"index\":0,\"embedding\":[[1,2,3],[4,5,6]]}]"));
            assertThatThrownBy(() -> rm.score(List.of(one))).hasMessageContaining("--pooling last");
            server.enqueue(json(200, "[{\"index\":0,\"embedding\":[[1,2]]}]"));
            assertThatThrownBy(() -> rm.score(List.of(one))).hasMessageContaining("'embedding' has 2 values, the score "
                    + "head 3");
        }
    }

    @Test
    void builderRejectsContradictions() {
        assertThatThrownBy(() -> vllm().build()).hasMessageContaining("exactly one input rendering");
        assertThatThrownBy(() -> vllm().policyIds().scoreHead(ScoreHead.of(1f)).build())
                .hasMessageContaining("only used with llama.cpp");
        assertThatThrownBy(() -> RemoteRewardModel.builder().dialect(Dialect.LLAMA_CPP)
                .endpoint(server.url("/").toString()).policyIds().build()).hasMessageContaining("score head");
    }
}
