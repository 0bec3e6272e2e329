package io.github.qalign.examples.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.qalign.examples.experiment.Progress;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.task.CheerfulStoryRule;
import io.github.qalign.examples.task.GoldMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy labelling rule, and proxy training in miniature on the real stories260K backbone. */
class ProxyRewardTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void joyOnlyLabelsIgnoreDistressButAgreeWithGoldOtherwise() {
        GoldMetric proxy = ProxyLabels.joyOnly();
        GoldMetric gold = CheerfulStoryRule.defaults();
        String arc = "Lily was sad. Then she smiled.";
        assertThat(proxy.score("", arc)).isEqualTo(1.0);
        assertThat(gold.score("", arc)).isEqualTo(0.0);
        for (String s : new String[] {"They had fun.", "He ran home.", "She was scared.", "Unhappy Tom."}) {
            assertThat(proxy.score("", s)).as(s).isEqualTo(gold.score("", s));
        }
        assertThat(proxy.description()).contains("distress words ignored");
    }

    @Test
    void trainsSavesAndReadsBackItsReport() {
        ProxyRecipe recipe = ProxyRecipe.builder().trainPrompts(8).draws(1).samplesPerDraw(6).heldOutPrompts(4)
                .heldOutSamples(6).epochs(1).maxTokens(64).build();
        Path out = tmp.resolve("proxy");
        assertThat(ProxyRewardTraining.read(out)).isEmpty();
        ProxyReport r = ProxyRewardTraining.train(Checkpoints.embeddedPolicy(), out, recipe, Progress.NONE);
        assertThat(r.trainPairs()).isBetween(1, 8);
        assertThat(r.losses()).hasSize(1);
        assertThat(r.trainLabelRate()).isBetween(0.0, 1.0);
        assertThat(out.resolve("model.safetensors")).exists();
        assertThat(out.resolve("tokenizer.json")).exists();
        assertThat(out.resolve("PROVENANCE.md")).content().contains("joy-only proxy labels");
        Optional<ProxyReport> back = ProxyRewardTraining.read(out);
        assertThat(back).contains(r);
    }

    @Test
    void aBrokenReportIsNamed() throws Exception {
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve("model.safetensors"), "");
        Files.writeString(tmp.resolve(ProxyRewardTraining.REPORT), "{\"recipe\": 3");
        assertThatThrownBy(() -> ProxyRewardTraining.read(tmp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ProxyRewardTraining.REPORT).hasMessageContaining("not a proxy training report");
    }

    @Test
    void recipeRejectsBadValuesByName() {
        assertThatThrownBy(() -> ProxyRecipe.builder().samplesPerDraw(1).build())
                .hasMessageContaining("samplesPerDraw must be >= 2");
        assertThatThrownBy(() -> ProxyRecipe.builder().draws(0).build()).hasMessageContaining("draws must be >= 1");
    }
}
