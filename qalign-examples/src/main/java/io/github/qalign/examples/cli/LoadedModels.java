package io.github.qalign.examples.cli;

import io.github.qalign.model.LanguageModel;
import io.github.qalign.model.RewardModel;
import java.util.Objects;

/**
 * A policy and a reward model, closed together.
 *
 * @param policy        the policy
 * @param reward        the reward model
 * @param closer        releases their resources (native memory); may be a no-op
 * @param forgetCaches  empties the models' prefix caches, so that the compute a run reports (computed vs reused
 *                      input tokens) does not depend on what ran before it; may be a no-op for models without one
 */
public record LoadedModels(LanguageModel policy, RewardModel reward, AutoCloseable closer, Runnable forgetCaches)
        implements AutoCloseable {
    public LoadedModels {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reward, "reward");
        Objects.requireNonNull(closer, "closer");
        Objects.requireNonNull(forgetCaches, "forgetCaches");
    }

    /** Models without a prefix cache to forget. */
    public LoadedModels(LanguageModel policy, RewardModel reward, AutoCloseable closer) {
        this(policy, reward, closer, () -> { });
    }

    @Override
    public void close() {
        try {
            closer.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing the models failed: " + e.getMessage(), e);
        }
    }
}
