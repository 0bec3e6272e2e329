package io.github.qalign.examples.models;

import io.github.qalign.djl.EmbeddedModels;

import java.nio.file.Path;

/**
 * The models of the experiment: the embedded stories260K policy and its Bradley-Terry reward model, both shipped by
 * qalign-djl ({@link EmbeddedModels}, which verifies them against their SHA-256 manifests on every use). The reward
 * model was trained by {@link io.github.qalign.examples.train.TrainRewardModel} (see its PROVENANCE.md).
 */
public final class ExampleModels {

    /**
     * The beta used with the embedded reward model when none is given: tuned to about 50% QAlign acceptance on the
     * held-out prompts (see docs/results.md).
     */
    public static final double DEFAULT_BETA = EmbeddedModels.STORIES260K_REWARD_BETA;

    private ExampleModels() {
    }

    /**
     * The embedded reward model's checkpoint directory.
     *
     * @return {@link EmbeddedModels#stories260kReward()}
     */
    public static Path storiesRewardModel() {
        return EmbeddedModels.stories260kReward();
    }
}
