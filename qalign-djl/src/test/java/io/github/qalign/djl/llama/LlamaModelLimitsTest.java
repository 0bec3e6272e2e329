package io.github.qalign.djl.llama;

import ai.djl.ndarray.types.DataType;
import io.github.qalign.djl.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sizes a model cannot hold fail with one clear exception before anything is allocated. */
class LlamaModelLimitsTest {

    @Test
    void matricesBeyondJavaArrayLimitsAreRejectedBeforeAllocation() {
        // within every config bound, but vocab x (hidden + 1) = 2^21 x 4097 > 2^31
        LlamaConfig huge = new LlamaConfig(LlamaConfig.CAUSAL_LM, 1 << 21, 4096, 8192, 1, 32, 8, 128, 4096, 1e-5,
                10000.0, null, true, 0, 1, new int[] {2}, -1);
        assertThatThrownBy(() -> LlamaModel.create(huge, Map.of(), null, DataType.FLOAT32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.embed_tokens.weight").hasMessageContaining("2097152 x 4097");
    }

    @Test
    void cachesBeyondJavaArrayLimitsAreRejectedBeforeAllocation() {
        LlamaConfig c = TinyWeights.config(LlamaConfig.CAUSAL_LM, 23, 32, 48, 1, 4, 2, 1 << 27, null, false);
        try (LlamaModel m = LlamaModelTest.model(new TinyWeights(c, 1))) {
            assertThatThrownBy(() -> m.newCache(1 << 16, 1 << 20)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2^31");
        }
    }
}
