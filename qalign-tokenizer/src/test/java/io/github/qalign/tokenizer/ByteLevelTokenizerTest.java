package io.github.qalign.tokenizer;

import io.github.qalign.model.ChatMessage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HfTokenizer on a Llama 3-style tokenizer (byte-level BPE, BOS {@code <|begin_of_text|>} added by a
 * TemplateProcessing post-processor, chat special tokens as added tokens, tokenizer_config with AddedToken objects),
 * built here as a tiny synthetic tokenizer.json.
 */
class ByteLevelTokenizerTest {

    /** GPT-2's reversible byte → printable character map. */
    private static String byteChar(int b) {
        if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255)) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) {
                n++;
            }
        }
        return String.valueOf((char) (256 + n));
    }

    private static Path write(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        String[] specials = {"<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
            "<|eot_id|>"};
        ArrayNode added = root.putArray("added_tokens");
        int firstSpecial = 256 + 3;
        for (int i = 0; i < specials.length; i++) {
            added.addObject().put("id", firstSpecial + i).put("content", specials[i]).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.putArray("single").add(json.readTree("{\"SpecialToken\": {\"id\": \"<|begin_of_text|>\", \"type_id\": 0}}"))
                .add(json.readTree("{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"));
        post.putArray("pair").add(json.readTree("{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"))
                .add(json.readTree("{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}"));
        post.putObject("special_tokens").set("<|begin_of_text|>",
                json.readTree("{\"id\": \"<|begin_of_text|>\", \"ids\": [" + firstSpecial + "],"
                        + " \"tokens\": [\"<|begin_of_text|>\"]}"));
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", true);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(byteChar(b), b);
        }
        String sp = byteChar(' ');
        vocab.put(sp + "H", 256);
        vocab.put(sp + "Hi", 257);
        vocab.put("Hi", 258);
        ArrayNode merges = model.putArray("merges");
        merges.addArray().add(sp).add("H");
        merges.addArray().add(sp + "H").add("i");
        merges.addArray().add("H").add("i");
        Files.createDirectories(dir);
        json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<|begin_of_text|>\","
                + " \"eos_token\": {\"__type\": \"AddedToken\", \"content\": \"<|eot_id|>\", \"special\": true},"
                + " \"chat_template\": \"{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
                + "<|end_header_id|>\\n\\n{{ m['content'] }}<|eot_id|>{% endfor %}\"}", StandardCharsets.UTF_8);
        return dir;
    }

    @Test
    void llama3StyleTokenizerAddsBosMatchesSpecialTokensAndRoundTrips(@TempDir Path tmp) throws IOException {
        Path dir = write(tmp.resolve("tok"));
        try (HfTokenizer tok = HfTokenizer.open(dir)) {
            assertThat(tok.vocabSize()).isEqualTo(264);
            assertThat(tok.bosToken()).isEqualTo("<|begin_of_text|>");
            assertThat(tok.eosToken()).isEqualTo("<|eot_id|>");
            assertThat(tok.tokenId("<|eot_id|>")).hasValue(263);
            assertThat(tok.encode("Hi Hi", true)).containsExactly(259, 258, 257);
            assertThat(tok.encode("Hi Hi", false)).containsExactly(258, 257);
            String text = "Hi, é 中 😀\n  x";
            assertThat(tok.decode(tok.encode(text, true), true)).isEqualTo(text);
            String chat = tok.chatTemplate().orElseThrow().render(List.of(ChatMessage.user("Hi")), false);
            assertThat(chat).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
            int[] ids = tok.encode(chat, false);
            assertThat(ids[0]).isEqualTo(259);
            assertThat(ids[1]).isEqualTo(261);
            assertThat(ids[ids.length - 1]).isEqualTo(263);
            assertThat(tok.decode(ids, false)).isEqualTo(chat);
            assertThat(tok.decode(ids, true)).isEqualTo("user\n\nHi");
        }
    }
}
