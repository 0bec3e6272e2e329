package io.github.qalign.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * qalign-tokenizer must run without any deep-learning engine: no PyTorch artifact on its (test) classpath, and the
 * tokenizer still opens and encodes.
 */
class TokenizerClasspathTest {

    @Test
    void noPytorchArtifactOrClassOnTheClasspath() {
        List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        assertThat(entries).as("classpath").isNotEmpty()
                .anySatisfy(e -> assertThat(e).contains("tokenizers"))
                .noneSatisfy(e -> assertThat(e.toLowerCase(java.util.Locale.ROOT)).contains("pytorch"));
        assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.engine.PtEngine"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("ai.djl.pytorch.jni.LibUtils"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(getClass().getResource("/native/lib/pytorch.properties")).isNull();
    }

    @Test
    void tokenizerWorksWithoutAnEngine() {
        try (HfTokenizer tok = HfTokenizer.open(TestData.stories260k())) {
            assertThat(tok.encode("Once upon a time", true)).containsExactly(1, 403, 407, 261, 378);
        }
    }
}
