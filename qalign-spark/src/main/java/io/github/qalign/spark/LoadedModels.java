package io.github.qalign.spark;

import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.RewardModel;
import java.util.Objects;

/**
 * A policy and a reward model that were opened together, and how to release them.
 *
 * @param policy the policy
 * @param reward the reward model
 * @param closer releases both (native memory, connections); run once by {@link #close()}
 */
public record LoadedModels(LanguageModel policy, RewardModel reward, AutoCloseable closer) implements AutoCloseable {
    /**
     * Validates the components.
     *
     * @param policy see the record description
     * @param reward see the record description
     * @param closer see the record description
     */
    public LoadedModels {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(closer, "closer");
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
