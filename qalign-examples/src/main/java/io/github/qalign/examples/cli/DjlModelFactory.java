package io.github.qalign.examples.cli;

import io.github.qalign.djl.llama.KvCache;
import io.github.qalign.djl.llama.LlamaLanguageModel;
import io.github.qalign.djl.llama.LlamaRewardModel;
import io.github.qalign.examples.models.Checkpoints;
import io.github.qalign.examples.models.ExampleModels;
import java.nio.file.Path;

/** Loads Llama checkpoints with the DJL runtime (qalign-djl); the defaults are the embedded models. */
final class DjlModelFactory implements ModelFactory {

    /** Empties every slot of a prefix cache (a length reset; the next input is computed in full). */
    private static void forget(KvCache cache) {
        for (int s = 0; s < cache.slots(); s++) {
            cache.truncate(s, 0);
        }
    }

    @Override
    public LoadedModels load(Path policyDir, Path rewardDir, String device, int maxCompletionTokens) {
        Path policy = policyDir == null ? Checkpoints.embeddedPolicy() : policyDir;
        Path reward = rewardDir == null ? ExampleModels.storiesRewardModel() : rewardDir;
        LlamaLanguageModel lm = Checkpoints.openPolicy(policy, device, maxCompletionTokens);
        try {
            LlamaRewardModel rm = Checkpoints.openReward(reward, policy, device, maxCompletionTokens);
            return new LoadedModels(lm, rm, () -> {
                try {
                    rm.close();
                } finally {
                    lm.close();
                }
            }, () -> {
                synchronized (lm) {
                    forget(lm.pool().cache());
                }
                synchronized (rm) {
                    forget(rm.pool().cache());
                }
            });
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }
}
