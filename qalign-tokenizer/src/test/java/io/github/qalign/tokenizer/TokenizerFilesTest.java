package io.github.qalign.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Untrusted tokenizer side files: sizes are checked before anything is read (sparse files stand in for huge ones),
 * malformed entries are one {@link TokenizerException} naming the file and the field, never an NPE.
 */
class TokenizerFilesTest {

    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return file;
    }

    @Test
    void oversizedFilesAreRefusedBeforeTheyAreRead(@TempDir Path dir) throws IOException {
        Files.copy(TestData.stories260k().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Path cfg = sparse(dir.resolve("tokenizer_config.json"), (16L << 20) + 1);
        assertThatThrownBy(() -> TokenizerConfig.read(cfg)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(cfg.toString()).hasMessageContaining("more than the 16777216 accepted");
        assertThatThrownBy(() -> HfTokenizer.open(dir)).isInstanceOf(TokenizerException.class)
                .hasMessageContaining("tokenizer_config.json");
        Files.createDirectories(dir.resolve("big"));
        Path big = sparse(dir.resolve("big").resolve("tokenizer.json"), (128L << 20) + 1);
        assertThatThrownBy(() -> HfTokenizer.open(big)).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(big.toString()).hasMessageContaining("more than the 134217728 accepted");
    }

    @Test
    void malformedEntriesNameTheFieldInsteadOfThrowingNpe(@TempDir Path dir) throws IOException {
        Path tok = dir.resolve("tokenizer.json");
        String[][] cases = {
            {"{\"model\": {\"vocab\": [[\"a\", 0.0], 5]}}", "model.vocab[1]"},
            {"{\"model\": {\"vocab\": {\"a\": \"x\"}}}", "model.vocab['a']"},
            {"{\"model\": {\"vocab\": {\"a\": -1}}}", "model.vocab['a']"},
            {"{\"model\": {\"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"id\": 1}]}", "added_tokens[0]"},
            {"{\"model\": {\"vocab\": {\"a\": 0}}, \"added_tokens\": [{\"content\": \"b\"}]}", "added_tokens[0].id"},
            {"{\"model\": 3}", "'model'"},
            {"[1, 2]", "not a JSON object"}};
        for (String[] c : cases) {
            Files.writeString(tok, c[0]);
            assertThatThrownBy(() -> HfTokenizer.open(tok)).as(c[0]).isInstanceOf(TokenizerException.class)
                    .hasMessageStartingWith(tok.toString()).hasMessageContaining(c[1]);
        }
        Path cfg = dir.resolve("tokenizer_config.json");
        String[][] configs = {
            {"{\"bos_token\": 5}", "'bos_token'"},
            {"{\"eos_token\": {\"lstrip\": true}}", "'eos_token'"},
            {"{\"chat_template\": 7}", "'chat_template'"},
            {"{\"chat_template\": [{\"name\": \"default\"}]}", "'chat_template' list entry"}};
        for (String[] c : configs) {
            Files.writeString(cfg, c[0]);
            assertThatThrownBy(() -> TokenizerConfig.read(cfg)).as(c[0]).isInstanceOf(TokenizerException.class)
                    .hasMessageStartingWith(cfg.toString()).hasMessageContaining(c[1]);
        }
        Files.writeString(cfg, "{\"bos_token\": {\"content\": \"<s>\"}, \"chat_template\": \"{{ bos_token }}x\"}");
        TokenizerConfig ok = TokenizerConfig.read(cfg).orElseThrow();
        assertThat(ok.bosToken()).isEqualTo("<s>");
        assertThat(ok.eosToken()).isNull();
        assertThat(ok.chatTemplate().orElseThrow().name()).isEqualTo(cfg.toString());
        assertThat(TokenizerConfig.read(dir.resolve("absent.json"))).isEmpty();
    }
}
