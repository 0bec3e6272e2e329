package io.github.qalign.remote;

import io.github.qalign.model.ChatMessage;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.TokenIds;
import io.github.qalign.remote.testing.ModelServer;
import io.github.qalign.testing.ToyLanguageModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** qalign-remote needs no PyTorch; config files and the server-side tokenizer fallback. */
class ClasspathAndFilesTest {

    @TempDir
    Path dir;

    @Test
    void noPytorchOnTheClasspath() {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        assertThat(entries).anySatisfy(e -> assertThat(e).contains("qalign-tokenizer"))
                .noneSatisfy(e -> assertThat(e.toLowerCase(Locale.ROOT)).contains("pytorch"));
        assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.engine.PtEngine"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(getClass().getResource("/native/lib/pytorch.properties")).isNull();
    }

    @Test
    void eosIdsAreTheUnionOfConfigAndGenerationConfig() throws IOException {
        Files.writeString(dir.resolve("config.json"),
                "{\"bos_token_id\":128000,\"eos_token_id\":128001,\"vocab_size\":128256}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":[128001,128008,128009]}");
        ModelFiles f = ModelFiles.read(dir);
        assertThat(f.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(f.bosTokenId()).isEqualTo(128000);
        assertThat(f.vocabSize()).isEqualTo(128256);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":[2,128001]}");
        assertThat(ModelFiles.read(dir).eosTokenIds()).containsExactly(128001, 2);
        Files.delete(dir.resolve("generation_config.json"));
        assertThat(ModelFiles.read(dir).eosTokenIds()).containsExactly(128001);
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\":\"</s>\"}");
        assertThatThrownBy(() -> ModelFiles.read(dir)).hasMessageContaining("config.json")
                .hasMessageContaining("'eos_token_id' must be a non-negative integer");
        Files.writeString(dir.resolve("config.json"), "{");
        assertThatThrownBy(() -> ModelFiles.read(dir)).hasMessageContaining("not valid JSON");
    }

    @Test
    void withoutTokenizerFilesTheServerTokenizesAndDetokenizes() {
        ToyLanguageModel toy = ToyLanguageModel.builder().symbols(3).build();
        try (ModelServer server = ModelServer.builder().languageModel(toy).start();
             RemoteLanguageModel lm = RemoteLanguageModel.builder().endpoint(server.baseUrl() + "/v1")
                     .eosTokenIds(toy.eosId()).build()) {
            Prompt p = lm.prompt("abc");
            assertThat(p.ids()).isEqualTo(toy.prompt("abc").ids());
            assertThat(lm.prompt(List.of(ChatMessage.user("ab"))).ids()).isEqualTo(TokenIds.of('a', 'b'));
            assertThat(lm.decode(TokenIds.of(0, 2, 1, toy.eosId()))).isEqualTo("acb");
        }
    }
}
