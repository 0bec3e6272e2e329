package io.github.qalign.examples.models;

import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.RewardModel;
import java.nio.file.Path;

/** Opens policy and reward checkpoints with the DJL Llama runtime. */
public final class Checkpoints {

    private Checkpoints() {
    }

    /** The embedded stories260K policy directory. */
    public static Path embeddedPolicy() {
        throw new IllegalStateException("embedded stories260K policy not available yet");
    }

    /** A policy on a device; close it when done (it is AutoCloseable). */
    public static LanguageModel openPolicy(Path dir, String device) {
        throw new IllegalStateException("LlamaLanguageModel not available yet");
    }

    /** A reward model on a device; close it when done (it is AutoCloseable). */
    public static RewardModel openReward(Path dir, String device) {
        throw new IllegalStateException("LlamaRewardModel not available yet");
    }
}
