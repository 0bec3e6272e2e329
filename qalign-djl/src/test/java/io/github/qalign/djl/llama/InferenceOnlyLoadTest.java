package io.github.qalign.djl.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.qalign.djl.EmbeddedModels;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint loaded for inference keeps one copy of its weights: the trainable arrays are released after the
 * inference weights are built, the training entry points say so, and decoding is unchanged.
 */
class InferenceOnlyLoadTest {

    private static final int[] IDS = {1, 403, 407, 261, 378};

    @Test
    void defaultLoadIsInferenceOnlyAndDecodesLikeATrainableLoad() {
        try (LlamaLanguageModel inference = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                LlamaOptions.builder().maxBatchSize(2).build());
             LlamaLanguageModel trainable = LlamaLanguageModel.load(EmbeddedModels.stories260k(),
                     LlamaOptions.builder().maxBatchSize(2).keepTrainingWeights(true).build())) {
            LlamaModel m = inference.model();
            assertThatThrownBy(m::parameters).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inference-only").hasMessageContaining("keepTrainingWeights");
            assertThatThrownBy(m::parametersChanged).isInstanceOf(IllegalStateException.class);
            try (NDManager nd = m.manager().newSubManager()) {
                assertThatThrownBy(() -> m.forwardHidden(nd.create(new long[] {1, 2}, new Shape(1, 2)), new int[] {2}))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("forwardHidden");
            }
            m.releaseTrainingWeights(); // idempotent
            assertThat(trainable.model().parameters()).isNotEmpty();
            assertThat(m.parameterCount()).isEqualTo(trainable.model().parameterCount());

            float[][] a = prefillLogits(m);
            float[][] b = prefillLogits(trainable.model());
            assertThat(a[0]).containsExactly(b[0], org.assertj.core.data.Offset.offset(1e-5f));
            // the trainable model's full forward agrees too (its parameters are still alive)
            float[][] full = LlamaModelTest.fullLogits(trainable.model(), IDS);
            assertThat(LlamaModelTest.maxDiff(a[0], full[IDS.length - 1])).isLessThan(1e-4);
        }
    }

    private static float[][] prefillLogits(LlamaModel model) {
        try (KvCache cache = model.newCache(1, 64)) {
            return model.forward(cache, new int[] {0}, new int[][] {IDS}, LlamaModel.Head.LOGITS);
        }
    }
}
