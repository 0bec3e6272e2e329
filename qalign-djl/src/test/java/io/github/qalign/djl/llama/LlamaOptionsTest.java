package io.github.qalign.djl.llama;

import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.LlamaConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LlamaOptionsTest {

    @Test
    void defaultsAndBudgets() {
        LlamaOptions d = LlamaOptions.defaults();
        assertThat(d.dataType()).isEqualTo(DataType.FLOAT32);
        assertThat(d.maxBatchSize()).isEqualTo(32);
        assertThat(d.maxCacheBytes()).isEqualTo(LlamaOptions.DEFAULT_MAX_CACHE_BYTES);
        assertThat(d.resolvedContext(131072)).isEqualTo(4096);
        assertThat(d.resolvedContext(512)).isEqualTo(512);
        assertThat(d.resolvedSlots(1000)).isEqualTo(66);
        // a budget of 5 slots lowers the pool to 5 slots (batch 2)
        LlamaOptions small = LlamaOptions.builder().maxCacheBytes(5 * 1000 + 10).build();
        assertThat(small.resolvedSlots(1000)).isEqualTo(5);
        assertThatThrownBy(() -> LlamaOptions.builder().maxCacheBytes(1500).build().resolvedSlots(1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCacheBytes");
        assertThatThrownBy(() -> LlamaOptions.builder().maxBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> LlamaOptions.builder().cacheSlots(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cacheSlots");
        assertThatThrownBy(() -> LlamaOptions.builder().dataType(DataType.INT8).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dataType");
    }

    @Test
    void adaptersRejectModelsWithoutTheirHead() {
        LlamaConfig rc = TinyWeights.config(LlamaConfig.SEQUENCE_CLASSIFICATION, 23, 32, 48, 2, 4, 2, 64, null, false);
        LlamaConfig lc = TinyWeights.config(LlamaConfig.CAUSAL_LM, 23, 32, 48, 2, 4, 2, 64, null, true);
        try (LlamaModel rm = LlamaModelTest.model(new TinyWeights(rc, 1));
             LlamaModel lm = LlamaModelTest.model(new TinyWeights(lc, 1))) {
            assertThatThrownBy(() -> new LlamaLanguageModel(rm, new CharCodec(23), LlamaOptions.defaults(), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LM head");
            assertThatThrownBy(() -> new LlamaRewardModel(lm, null, LlamaOptions.defaults(), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("score head");
        }
    }

    @Test
    void languageModelHonoursTheBudget() {
        LlamaConfig c = TinyWeights.config(LlamaConfig.CAUSAL_LM, 23, 32, 48, 2, 4, 2, 128, null, false);
        try (LlamaModel model = LlamaModelTest.model(new TinyWeights(c, 1))) {
            long perSlot = model.bytesPerSlot(64);
            assertThat(perSlot).isEqualTo(2L * 2 * 64 * 2 * 8 * 4);
            try (LlamaLanguageModel lm = new LlamaLanguageModel(model, new CharCodec(23),
                    LlamaOptions.builder().contextLength(64).maxCacheBytes(7 * perSlot).build(), false)) {
                assertThat(lm.contextLength()).isEqualTo(64);
                assertThat(lm.pool().cache().slots()).isEqualTo(7);
                assertThat(lm.maxBatch()).isEqualTo(3);
            }
        }
    }
}
