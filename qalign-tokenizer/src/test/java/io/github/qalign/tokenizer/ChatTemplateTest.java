package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatTemplateTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/chat_templates/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ChatTemplate llama31() throws IOException {
        return new ChatTemplate(resource("llama-3.1-instruct.jinja"), "<|begin_of_text|>", "<|eot_id|>");
    }

    @Test
    void llama31SystemAndUserWithGenerationPrompt() throws IOException {
        String out = llama31().render(List.of(ChatMessage.system("You are a helpful assistant."),
                ChatMessage.user("What is 2+2?")), true);
        assertThat(out).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
                + "You are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama31WithoutSystemMultiTurnTrimsContentAndHonoursExtraVariables() throws IOException {
        String out = llama31().render(List.of(ChatMessage.user("  Hi there \n"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Tell me a story.")), false, Map.of("date_string", "27 Nov 2026"));
        assertThat(out).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 27 Nov 2026\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nTell me a story.<|eot_id|>");
    }

    @Test
    void notBindsLooserThanIsTestsLikeInJinja() {
        assertThat(ChatTemplate.jinjaPrecedence("not x is defined {% if not x is defined and not m['a'] is not none %}"
                + "{{ not y.z is string }}{% if not x is sameas(1) %}"))
                .isEqualTo("not x is defined {% if not (x is defined) and not (m['a'] is not none) %}"
                        + "{{ not (y.z is string) }}{% if not x is sameas(1) %}");
        ChatTemplate t = new ChatTemplate("{% if not v is defined %}default{% else %}{{ v }}{% endif %}", "", "");
        assertThat(t.render(List.of(), false)).isEqualTo("default");
        assertThat(t.render(List.of(), false, Map.of("v", "given"))).isEqualTo("given");
    }

    @Test
    void tulu3Template() throws IOException {
        ChatTemplate t = new ChatTemplate(resource("tulu-3.jinja"), "<|begin_of_text|>", "<|end_of_text|>");
        assertThat(t.render(List.of(ChatMessage.user("What is 2+2?")), true))
                .isEqualTo("<|user|>\nWhat is 2+2?\n<|assistant|>\n");
        assertThat(t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello."), ChatMessage.user("Bye")), true))
                .isEqualTo("<|system|>\nBe brief.\n<|user|>\nHi\n<|assistant|>\nHello.<|end_of_text|>\n"
                        + "<|user|>\nBye\n<|assistant|>\n");
        assertThat(t.render(List.of(ChatMessage.user("Q"), ChatMessage.assistant("A")), false))
                .isEqualTo("<|user|>\nQ\n<|assistant|>\nA<|end_of_text|>");
    }

    @Test
    void raiseExceptionBecomesIllegalArgumentExceptionWithTheTemplatesMessage() {
        ChatTemplate t = new ChatTemplate("{% if messages[0]['role'] != 'user' %}"
                + "{{ raise_exception('Conversation must start with a user message') }}{% endif %}ok", "", "");
        assertThat(t.render(List.of(ChatMessage.user("x")), false)).isEqualTo("ok");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.assistant("x")), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Conversation must start with a user message");
    }

    @Test
    void stories260kTemplateRendersBosPlusTurnContentsAndTokenizesLikeEncodeWithBos() {
        Path dir = TestData.stories260k();
        try (HfTokenizer tok = HfTokenizer.open(dir)) {
            ChatTemplate t = tok.chatTemplate().orElseThrow();
            assertThat(tok.bosToken()).isEqualTo("<s>");
            assertThat(tok.eosToken()).isEqualTo("</s>");
            String text = "Once upon a time, there was a dog.";
            String rendered = t.render(List.of(ChatMessage.system("ignored"), ChatMessage.user(text)), true);
            assertThat(rendered).isEqualTo("<s>" + text);
            assertThat(tok.encode(rendered, false)).containsExactly(tok.encode(text, true));
            String exchange = t.render(List.of(ChatMessage.user("Once upon a time"),
                    ChatMessage.assistant(" there was a dog.")), false);
            assertThat(exchange).isEqualTo("<s>Once upon a time there was a dog.");
            assertThat(tok.encode(exchange, false)).containsExactly(tok.encode("Once upon a time there was a dog.", true));
        }
    }

    @Test
    void fromTokenizerConfigHandlesMissingFilesNamedTemplatesAndCorruptJson(@TempDir Path dir) throws IOException {
        assertThat(ChatTemplate.fromTokenizerConfig(dir.resolve("tokenizer_config.json"))).isEmpty();
        Path cfg = dir.resolve("tokenizer_config.json");
        Files.writeString(cfg, "{\"bos_token\": {\"content\": \"<s>\", \"lstrip\": false}}");
        assertThat(ChatTemplate.fromTokenizerConfig(cfg)).isEmpty();
        Files.writeString(cfg, "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"</s>\", \"chat_template\": ["
                + "{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": "
                + "\"{{ bos_token }}D{{ eos_token }}\"}]}");
        assertThat(ChatTemplate.fromTokenizerConfig(cfg).orElseThrow().render(List.of(), false))
                .isEqualTo("<s>D</s>");
        Files.writeString(cfg, "{\"chat_template\": ");
        assertThatThrownBy(() -> ChatTemplate.fromTokenizerConfig(cfg))
                .isInstanceOf(TokenizerException.class).hasMessageContaining("tokenizer_config.json")
                .hasMessageContaining("corrupt JSON");
    }
}
