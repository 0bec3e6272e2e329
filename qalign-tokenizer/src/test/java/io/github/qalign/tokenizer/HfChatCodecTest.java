package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chat codec over a conversation: prompt ids are exactly the tokenizer's ids of the template's render (system
 * prompt and history included, generation prompt appended); an exchange is the render of the conversation plus the
 * assistant's completion; a template-less tokenizer encodes only a single user message; a continuation decodes with
 * its leading space in the context of its prompt.
 */
class HfChatCodecTest {

    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("Be kind."),
            ChatMessage.user("Once upon a time"), ChatMessage.assistant(" there was a dog."),
            ChatMessage.user("What happened next? {{ 7*7 }}"));

    /** The stories260k tokenizer with a role-aware template instead of its own. */
    private static Path withTemplate(Path dir, String template) throws IOException {
        Files.createDirectories(dir);
        Files.copy(TestData.stories260k().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\","
                + " \"chat_template\": " + new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(template) + "}");
        return dir;
    }

    @Test
    void promptAndExchangeAreTheTokenizedRenderOfTheWholeConversation(@TempDir Path tmp) throws IOException {
        String template = "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                + "{% if add_generation_prompt %}assistant:{% endif %}";
        try (HfChatCodec codec = HfChatCodec.open(withTemplate(tmp.resolve("tok"), template), 1)) {
            HfTokenizer tok = codec.tokenizer();
            String expectedPrompt = "<s>system: Be kind.\nuser: Once upon a time\nassistant:  there was a dog.\n"
                    + "user: What happened next? {{ 7*7 }}\nassistant:";
            assertThat(codec.template().orElseThrow().render(CONVERSATION, true)).isEqualTo(expectedPrompt);
            assertThat(codec.encodePrompt(CONVERSATION)).containsExactly(tok.encode(expectedPrompt, false));
            assertThat(codec.encodePrompt(CONVERSATION)[0]).isEqualTo(1);
            String expectedExchange = expectedPrompt.substring(0, expectedPrompt.length() - "assistant:".length())
                    + "assistant:  The end.\n";
            assertThat(codec.encodeExchange(CONVERSATION, " The end."))
                    .containsExactly(tok.encode(expectedExchange, false));
            // the single-message conveniences are the one-user-message conversation
            assertThat(codec.encodePrompt("Hi")).containsExactly(codec.encodePrompt(List.of(ChatMessage.user("Hi"))));
            assertThat(codec.encodeExchange("Hi", " yo")).containsExactly(
                    codec.encodeExchange(List.of(ChatMessage.user("Hi")), " yo"));
        }
    }

    @Test
    void withoutATemplateOnlyASingleUserMessageIsEncoded(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("plain");
        Files.createDirectories(dir);
        Files.copy(TestData.stories260k().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (HfChatCodec codec = HfChatCodec.open(dir, 1)) {
            assertThat(codec.template()).isEmpty();
            HfTokenizer tok = codec.tokenizer();
            assertThat(codec.encodePrompt(List.of(ChatMessage.user("Once upon a time"))))
                    .containsExactly(tok.encode("Once upon a time", true));
            assertThat(codec.encodeExchange(List.of(ChatMessage.user("Once")), "upon"))
                    .containsExactly(tok.encode("Once\nupon", true));
            assertThatThrownBy(() -> codec.encodePrompt(CONVERSATION)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tokenizer.json").hasMessageContaining("no chat template")
                    .hasMessageContaining("[system, user, assistant, user]");
            assertThatThrownBy(() -> codec.encodeExchange(List.of(ChatMessage.system("s")), "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single user message");
            assertThatThrownBy(() -> codec.encodePrompt(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty");
        }
    }

    @Test
    void theStories260kTemplateConcatenatesTurnsAndRaisedErrorsSurface(@TempDir Path tmp) throws IOException {
        try (HfChatCodec codec = HfChatCodec.open(TestData.stories260k(), 1)) {
            HfTokenizer tok = codec.tokenizer();
            assertThat(codec.encodeExchange(List.of(ChatMessage.user("Once upon a time")), " there was a dog."))
                    .containsExactly(tok.encode("Once upon a time there was a dog.", true));
        }
        String strict = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first message must be the user') }}"
                + "{% endif %}{% for m in messages %}{{ m['content'] }}{% endfor %}";
        try (HfChatCodec codec = HfChatCodec.open(withTemplate(tmp.resolve("strict"), strict), 1)) {
            assertThatThrownBy(() -> codec.encodePrompt(List.of(ChatMessage.assistant("x"))))
                    .isInstanceOf(ChatTemplateException.class).hasMessageContaining("first message must be the user")
                    .hasMessageContaining("tokenizer_config.json");
        }
    }

    @Test
    void aContinuationDecodesWithItsLeadingSpaceInContext() {
        try (HfChatCodec codec = HfChatCodec.open(TestData.stories260k(), 1)) {
            HfTokenizer tok = codec.tokenizer();
            int[] prompt = tok.encode("Once upon a time", true);
            int[] whole = tok.encode("Once upon a time there was a dog.", true);
            assertThat(java.util.Arrays.copyOf(whole, prompt.length)).containsExactly(prompt);
            int[] continuation = java.util.Arrays.copyOfRange(whole, prompt.length, whole.length);
            // the Llama decoder drops the first space of a sequence...
            assertThat(codec.decode(continuation)).isEqualTo("there was a dog.");
            // ...but the continuation's text in context keeps it, so prompt text + continuation text = whole text
            assertThat(codec.decodeContinuation(prompt, continuation)).isEqualTo(" there was a dog.");
            assertThat(codec.decode(prompt) + codec.decodeContinuation(prompt, continuation))
                    .isEqualTo("Once upon a time there was a dog.");
        }
    }
}
