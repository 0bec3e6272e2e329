package io.github.qalign.serve;

import io.github.qalign.djl.EmbeddedModels;
import io.github.qalign.djl.diagnostics.QAlignReuse;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaOptions;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.serve.djl.DjlServing;

/**
 * The test models: the embedded stories260K policy and, as the reward model, the stories260K backbone with a seeded
 * random score head (qalign-djl's one place for it; it shares the policy's tokenizer and scores its ids directly).
 * The trained embedded reward model lives in qalign-examples, which this module cannot depend on.
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
        this.rm = QAlignReuse.storiesRewardModelWithRandomHead(options, 7);
        this.serving = DjlServing.sharingTokenizer("stories260k", lm, "stories260k-rm", rm, CONTEXT);
    }

    @Override
    public void close() {
        rm.close();
        lm.close();
    }
}
