package io.github.qalign.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An unmodified OpenAI client, LangChain4j's {@link OpenAiChatModel}, pointed at the alignment endpoint gets the
 * aligned answer (the same one a direct request with the same settings gets) and the usage.
 */
class LangChain4jClientTest {

    private static final String USER = "Once upon a time there was a little cat";

    @Test
    void openAiChatModelGetsTheAlignedAnswer() throws Exception {
        try (StoriesModels models = new StoriesModels();
             QalignServer server = QalignServer.start(models.serving.policy(), models.serving.reward(),
                     ServerConfig.builder().port(0).apiKey("test-key").defaultBeta(0.5).build())) {
            String base = server.baseUri().toString();
            JsonNode direct = Http.post(server.baseUri(), "/v1/chat/completions",
                    "{\"model\":\"stories260k\",\"messages\":[{\"role\":\"user\",\"content\":\"" + USER + "\"}],"
                            + "\"max_tokens\":20,\"seed\":11,\"qalign\":{\"method\":\"qalign\",\"budget\":6}}",
                    Map.of("Authorization", "Bearer test-key")).json();
            String expected = direct.get("choices").get(0).get("message").get("content").asText();

            // settings in the body, through LangChain4j's custom parameters
            OpenAiChatModel viaBody = OpenAiChatModel.builder().baseUrl(base + "/v1").apiKey("test-key")
                    .modelName("stories260k").maxTokens(20).seed(11).timeout(Duration.ofSeconds(60))
                    .customParameters(Map.of("qalign", Map.of("method", "qalign", "budget", 6))).build();
            ChatResponse r = viaBody.chat(UserMessage.from(USER));
            assertThat(r.aiMessage().text()).isEqualTo(expected);
            assertThat(r.tokenUsage().outputTokenCount())
                    .isEqualTo(direct.get("usage").get("completion_tokens").asInt());
            assertThat(r.tokenUsage().inputTokenCount())
                    .isEqualTo(direct.get("usage").get("prompt_tokens").asInt());

            // settings as headers: a client that cannot add body fields
            OpenAiChatModel viaHeaders = OpenAiChatModel.builder().baseUrl(base + "/v1").apiKey("test-key")
                    .modelName("stories260k").maxTokens(20).seed(11).timeout(Duration.ofSeconds(60))
                    .customHeaders(Map.of("X-QAlign-Method", "qalign", "X-QAlign-Budget", "6")).build();
            assertThat(viaHeaders.chat(USER)).isEqualTo(expected);
        }
    }
}
