package io.github.qalign.djl.llama;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.model.FinishReason;
import io.github.qalign.model.Generation;
import io.github.qalign.model.GenerationRequest;
import io.github.qalign.model.Prompt;
import io.github.qalign.model.SamplingConfig;
import io.github.qalign.model.TokenIds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded stories260K (converted from llama2.c by the checkpoint module) through the HF loading path. */
class Stories260kTest {

    static LlamaLanguageModel lm;

    @BeforeAll
    static void load() {
        lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), LlamaOptions.builder().maxBatchSize(16).build());
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    @Test
    void greedyDecodingFromBosReproducesLlama2cByteForByte() throws IOException {
        String expected;
        try (InputStream in = getClass().getResourceAsStream("/llama2c/stories260K/expected_greedy_steps200.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        LlamaModel model = lm.model();
        Prompt bos = lm.prompt("");
        assertThat(bos.ids()).isEqualTo(TokenIds.of(1));
        // llama2.c run.c, steps = 200, temperature 0: feed positions 0..199 (BOS first), print each argmax,
        // stop early when it samples BOS (id 1).
        try (KvCache cache = model.newCache(1, 512)) {
            int token = 1;
            List<Integer> out = new ArrayList<>();
            for (int pos = 0; pos < 200; pos++) {
                float[][] logits = model.forward(cache, new int[] {0}, new int[][] {{token}}, LlamaModel.Head.LOGITS);
                int next = TokenSampler.argmax(logits[0]);
                if (next == 1) {
                    break;
                }
                out.add(next);
                token = next;
            }
            String text = lm.decode(TokenIds.of(out.stream().mapToInt(Integer::intValue).toArray()));
            assertThat(text).isEqualTo(expected);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndStopsOnEosOrCap() {
        Prompt p = lm.prompt("Once upon a time");
        List<GenerationRequest> reqs = List.of(GenerationRequest.fresh(p, 2024), GenerationRequest.fresh(p, 2025),
                GenerationRequest.fresh(lm.prompt(""), 2026));
        SamplingConfig cfg = SamplingConfig.defaults().withMaxCompletionTokens(300);
        List<Generation> a = lm.generate(reqs, cfg);
        List<Generation> b = lm.generate(reqs, cfg);
        for (int i = 0; i < reqs.size(); i++) {
            Generation g = a.get(i);
            assertThat(b.get(i).completion()).isEqualTo(g.completion());
            assertThat(b.get(i).text()).isEqualTo(g.text());
            assertThat(g.text()).isNotBlank();
            if (g.finishReason() == FinishReason.EOS) {
                assertThat(g.completion().last()).isIn(1, 2);
            } else {
                assertThat(g.completion().length()).isEqualTo(300);
            }
        }
        assertThat(a.get(0).completion()).isNotEqualTo(a.get(1).completion());
    }
}
