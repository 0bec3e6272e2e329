package io.github.qalign.examples.cli;

import java.nio.file.Path;

/** Loads the policy and the reward model the commands run on (replaceable in tests). */
public interface ModelFactory {

    /**
     * Loads both models.
     *
     * @param policyDir policy checkpoint directory (Hugging Face layout); null for the embedded stories260K
     * @param rewardDir reward checkpoint directory; null for the embedded stories260K reward model
     * @param device    the device name ("cpu", "gpu", "gpu:1", ...)
     * @param maxCompletionTokens the completion cap the models will be used with (sizes their KV caches)
     * @return the loaded models; the caller closes them
     */
    LoadedModels load(Path policyDir, Path rewardDir, String device, int maxCompletionTokens);
}
