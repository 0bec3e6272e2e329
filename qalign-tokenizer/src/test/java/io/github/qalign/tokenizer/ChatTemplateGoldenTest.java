package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte-identical renders against Jinja2 set up as {@code transformers.apply_chat_template} does: nine published chat
 * templates (Llama 3.1, Llama 3.2, Tulu 3, Qwen2.5, Mistral Nemo Instruct, Gemma 2, Phi-3.5, SmolLM2, DeepSeek-R1
 * Distill) over 17 conversations (system prompts, multi-turn, Unicode, quotes, LaTeX with braces, Jinja syntax and
 * special tokens inside messages, whitespace, role-order violations), each with and without
 * {@code add_generation_prompt}. Expected outputs: {@code chat_templates/goldens.json}, written by
 * {@code src/test/python/make_chat_template_goldens.py}; a template's {@code raise_exception} must surface as a
 * {@link ChatTemplateException} of kind RAISED with the same message.
 */
class ChatTemplateGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode goldens;
    private static Map<String, List<ChatMessage>> conversations;
    private static Map<String, String> sources;

    private static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat_templates/" + name)) {
            assertThat(in).as("resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void load() throws IOException {
        goldens = JSON.readTree(resource("goldens.json"));
        conversations = new HashMap<>();
        for (JsonNode c : JSON.readTree(resource("conversations.json"))) {
            List<ChatMessage> msgs = new ArrayList<>();
            for (JsonNode m : c.get("messages")) {
                msgs.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            conversations.put(c.get("id").asText(), msgs);
        }
        sources = new HashMap<>();
        goldens.get("special_tokens").fieldNames().forEachRemaining(name -> {
            try {
                sources.put(name, resource(name));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    @Test
    void everyTemplateRendersEveryConversationLikeJinja2() {
        Clock clock = Clock.fixed(Instant.parse(goldens.get("strftime_now").asText()), ZoneOffset.UTC);
        Map<String, ChatTemplate> templates = new HashMap<>();
        goldens.get("special_tokens").fields().forEachRemaining(e -> templates.put(e.getKey(),
                ChatTemplate.builder(sources.get(e.getKey())).name(e.getKey())
                        .bosToken(text(e.getValue().get("bos_token")))
                        .eosToken(text(e.getValue().get("eos_token"))).clock(clock).build()));
        List<String> failures = new ArrayList<>();
        TreeSet<String> templatesSeen = new TreeSet<>();
        int cases = 0;
        int raised = 0;
        for (JsonNode c : goldens.get("cases")) {
            String name = c.get("template").asText();
            String conv = c.get("conversation").asText();
            boolean agp = c.get("add_generation_prompt").asBoolean();
            String id = name + " / " + conv + " / add_generation_prompt=" + agp;
            List<ChatMessage> messages = conversations.get(conv);
            assertThat(messages).as(id).isNotNull();
            templatesSeen.add(name);
            cases++;
            String got;
            try {
                got = templates.get(name).render(messages, agp);
            } catch (ChatTemplateException e) {
                if (c.has("error") && e.kind() == ChatTemplateException.Kind.RAISED
                        && e.reason().equals(c.get("error").asText())) {
                    raised++;
                    continue;
                }
                failures.add(id + ": threw " + e.getMessage());
                continue;
            }
            if (c.has("error")) {
                failures.add(id + ": expected raise_exception(" + c.get("error").asText() + "), rendered "
                        + JSON.valueToTree(got));
            } else if (!got.equals(c.get("output").asText())) {
                failures.add(id + ":\n  expected " + c.get("output") + "\n  got      " + JSON.valueToTree(got));
            }
        }
        assertThat(templatesSeen).hasSize(9);
        assertThat(cases).isEqualTo(9 * conversations.size() * 2);
        assertThat(raised).isEqualTo(18);
        assertThat(failures).as("%d of %d renders differ from Jinja2", failures.size(), cases).isEmpty();
    }
}
