package io.github.qalign.djl.llama;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.Reward;
import io.github.qalign.model.RewardRequest;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import io.github.qalign.tokenizer.ChatTemplate;
import io.github.qalign.tokenizer.HfTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chat API of the policy on the embedded stories260K: a prompt from a list of messages is exactly the tokenizer's
 * ids of the model's own chat template render, and {@code Generation.text()} is what the tokenizer decodes for the
 * completion in the context of its prompt (a leading space kept), checked against an independent decode of the
 * whole sequence; the embedded reward model scores (messages, completion) with its own chat template, history
 * included.
 */
class LlamaChatApiTest {

    private static LlamaLanguageModel lm;
    private static HfTokenizer tok;
    private static ChatTemplate template;

    @BeforeAll
    static void load() {
        lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), LlamaOptions.builder().maxBatchSize(8).build());
        tok = HfTokenizer.open(EmbeddedModels.stories260k());
        template = tok.chatTemplate().orElseThrow();
    }

    @AfterAll
    static void close() {
        tok.close();
        lm.close();
    }

    @Test
    void promptFromMessagesIsTheTemplateRenderTokenized() {
        List<ChatMessage> messages = List.of(ChatMessage.system("Tell happy stories."),
                ChatMessage.user("Once upon a time"), ChatMessage.assistant(" there was a cat."),
                ChatMessage.user(" The cat said {{ 7*7 }}"));
        Prompt p = lm.prompt(messages);
        String rendered = template.render(messages, true);
        // the stories260K template is BOS + the non-system turns' contents, verbatim
        assertThat(rendered).isEqualTo("<s>Once upon a time there was a cat. The cat said {{ 7*7 }}");
        assertThat(p.ids().toArray()).containsExactly(tok.encode(rendered, false));
        assertThat(p.messages()).isEqualTo(messages);
        assertThat(p.text()).isEqualTo(" The cat said {{ 7*7 }}");
        Prompt single = lm.prompt("Once upon a time");
        assertThat(single.ids()).isEqualTo(lm.prompt(List.of(ChatMessage.user("Once upon a time"))).ids());
        assertThat(single.ids().toArray()).containsExactly(tok.encode("Once upon a time", true));
        assertThat(single.messages()).containsExactly(ChatMessage.user("Once upon a time"));
        assertThatThrownBy(() -> lm.prompt(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generationTextIsTheCompletionDecodedAfterItsPrompt() {
        Prompt p = lm.prompt("Once upon a time");
        int[] whole = tok.encode("Once upon a time there was", true);
        int[] prefix = Arrays.copyOfRange(whole, p.ids().length(), whole.length);
        assertThat(tok.decode(prefix, true)).as("the prefix alone decodes without its space")
                .isEqualTo("there was");
        List<GenerationRequest> requests = new ArrayList<>();
        requests.add(new GenerationRequest(p, TokenIds.of(prefix), 11));
        for (long seed = 1; seed <= 5; seed++) {
            requests.add(GenerationRequest.fresh(p, seed));
        }
        List<Generation> gens = lm.generate(requests, SamplingConfig.builder().maxCompletionTokens(24).build());
        String promptText = tok.decode(p.ids().toArray(), true);
        boolean sawLeadingSpace = false;
        for (Generation g : gens) {
            int[] all = p.ids().concat(g.completion()).toArray();
            String full = tok.decode(all, true);
            assertThat(full).startsWith(promptText);
            assertThat(g.text()).isEqualTo(full.substring(promptText.length()));
            assertThat(promptText + g.text()).isEqualTo(full);
            sawLeadingSpace |= g.text().startsWith(" ");
        }
        assertThat(gens.get(0).text()).startsWith(" there was");
        assertThat(sawLeadingSpace).isTrue();
        // decode() of the ids alone is the tokenizer's plain decode (no context)
        assertThat(lm.decode(gens.get(0).completion())).startsWith("there was");
    }

    @Test
    void rewardModelScoresTheConversationWithItsOwnTemplate() {
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be cheerful."),
                ChatMessage.user("Once upon a time"), ChatMessage.assistant(" there was a sad cat."),
                ChatMessage.user(" Then the cat"));
        Prompt p = lm.prompt(conversation);
        Generation g = lm.generate(List.of(GenerationRequest.fresh(p, 5)),
                SamplingConfig.builder().maxCompletionTokens(16).build()).get(0);
        RewardRequest request = RewardRequest.of(p, g);
        LlamaOptions options = LlamaOptions.builder().maxBatchSize(4).build();
        try (LlamaRewardModel own = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), options, false);
             LlamaRewardModel ids = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), options, true);
             HfTokenizer rmTok = HfTokenizer.open(EmbeddedModels.stories260kReward())) {
            ChatTemplate rmTemplate = rmTok.chatTemplate().orElseThrow();
            List<ChatMessage> exchange = new ArrayList<>(conversation);
            exchange.add(ChatMessage.assistant(g.text()));
            String rendered = rmTemplate.render(exchange, false);
            // the whole conversation is scored, history included (not just the last user message)
            assertThat(rendered).startsWith("<s>Once upon a time there was a sad cat. Then the cat")
                    .endsWith(g.text());
            int[] expected = rmTok.encode(rendered, false);
            assertThat(own.inputIds(request)).containsExactly(expected);
            // same model, same ids through the policy-ids path => same score
            Reward viaTemplate = own.score(List.of(request)).get(0);
            Reward viaIds = ids.score(List.of(new RewardRequest(new Prompt("x", TokenIds.of(expected)),
                    TokenIds.empty(), ""))).get(0);
            assertThat(viaTemplate.value()).isEqualTo(viaIds.value());
            // a different history changes what is scored
            RewardRequest otherHistory = new RewardRequest(lm.prompt(List.of(ChatMessage.user(" Then the cat"))),
                    g.completion(), g.text());
            assertThat(own.inputIds(otherHistory)).isNotEqualTo(expected);
        }
    }
}
