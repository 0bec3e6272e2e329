package io.github.qalign.djl.llama;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Temperature 0 through the batched, cached {@link LlamaLanguageModel} is greedy decoding: on the embedded stories260K
 * checkpoint, starting from BOS, it reproduces llama2.c's reference output ({@code run.c -t 0 -n 200}, the expected
 * text of {@code ConvertedStories260kGreedyTest}), for every row of a batch whatever its seed, and with top-k/top-p set.
 */
class GreedyDecodingTest {

    @Test
    void temperatureZeroReproducesLlama2cGreedyOutputInEveryRowOfABatch() throws IOException {
        String expected;
        try (InputStream in = getClass().getResourceAsStream("/llama2c/stories260K/expected_greedy_steps200.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (LlamaLanguageModel lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(4).build())) {
            Prompt bos = new Prompt("", TokenIds.of(1));
            List<GenerationRequest> reqs = new ArrayList<>();
            for (long seed = 1; seed <= 4; seed++) {
                reqs.add(GenerationRequest.fresh(bos, seed * 7919));
            }
            SamplingConfig greedy = SamplingConfig.defaults().withTemperature(0).withMaxCompletionTokens(200);
            List<Generation> out = lm.generate(reqs, greedy);
            for (Generation g : out) {
                assertThat(g.finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(lm.decode(g.completion())).isEqualTo(expected);
                assertThat(g.completion()).isEqualTo(out.get(0).completion());
            }
            // top-k / top-p never change the argmax
            Generation truncated = lm.generate(List.of(reqs.get(0)), greedy.withTopK(3).withTopP(0.5)).get(0);
            assertThat(truncated.completion()).isEqualTo(out.get(0).completion());
        }
    }
}
