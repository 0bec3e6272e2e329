package io.github.qalign.serve;

import io.github.qalign.model.RewardModel;
import java.util.Objects;

/**
 * The reward model a {@link QalignServer} serves.
 *
 * @param name          the model id clients name in {@code "model"} of {@code /classify}
 * @param model         the reward model the alignment endpoint scores (prompt, completion) pairs with
 * @param rawIds        a reward model that scores exactly {@code prompt.ids ++ completion} (no re-rendering): what
 *                      {@code /classify} runs on input ids; often the same object as {@code model}
 * @param codec         the reward model's raw tokenizer (text inputs of {@code /classify})
 * @param contextLength positions per sequence
 */
public record ServedReward(String name, RewardModel model, RewardModel rawIds, TextCodec codec, int contextLength) {
    /**
     * Validates the components.
     *
     * @param name          see the record description
     * @param model         see the record description
     * @param rawIds        see the record description
     * @param codec         see the record description
     * @param contextLength see the record description
     */
    public ServedReward {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(rawIds, "rawIds");
        Objects.requireNonNull(codec, "codec");
        if (name.isBlank()) {
            throw new IllegalArgumentException("reward model name is blank");
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be > 0, got " + contextLength);
        }
    }
}
