package io.github.qalign.examples.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.LlamaConfig;
import io.github.qalign.djl.checkpoint.HfCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExampleModelsTest {

    @Test
    void embeddedRewardModelIsASequenceClassifierWithoutLmHead() {
        Path dir = ExampleModels.storiesRewardModel();
        assertThat(dir).isEqualTo(EmbeddedModels.stories260kReward());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "LICENSE", "PROVENANCE.md"}) {
            assertThat(Files.isRegularFile(dir.resolve(f))).as(f).isTrue();
        }
        try (HfCheckpoint c = HfCheckpoint.open(dir)) {
            assertThat(c.config().architecture()).isEqualTo(LlamaConfig.SEQUENCE_CLASSIFICATION);
            assertThat(c.config().numLabels()).isEqualTo(1);
            assertThat(c.tensorNames()).contains("score.weight").doesNotContain("lm_head.weight");
        }
    }

    @Test
    void embeddedRewardModelSharesThePolicyTokenizerSoItScoresPolicyIds() {
        // it was trained on prompt ids ++ completion ids; the CLI scores that way only when the tokenizer files match
        assertThat(Checkpoints.sameTokenizer(ExampleModels.storiesRewardModel(), EmbeddedModels.stories260k()))
                .isTrue();
    }
}
