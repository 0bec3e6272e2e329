package io.github.qalign.serve;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.serve.djl.DjlServing;

/**
 * The test models: the embedded stories260K policy and reward model (qalign-djl's {@link EmbeddedModels}); the reward
 * model shares the policy's tokenizer and scores its ids directly.
 */
final class StoriesModels implements AutoCloseable {

    /** Context length of both models in the tests. */
    static final int CONTEXT = 320;

    final LlamaLanguageModel lm;
    final LlamaRewardModel rm;
    final DjlServing serving;

    StoriesModels() {
        LlamaOptions options = LlamaOptions.builder().maxBatchSize(64).contextLength(CONTEXT).build();
        this.lm = LlamaLanguageModel.load(EmbeddedModels.stories260k(), options);
        this.rm = LlamaRewardModel.load(EmbeddedModels.stories260kReward(), options, true);
        this.serving = DjlServing.sharingTokenizer("stories260k", lm, "stories260k-rm", rm, CONTEXT);
    }

    @Override
    public void close() {
        rm.close();
        lm.close();
    }
}
