package io.github.qalign.model;

import java.util.concurrent.CompletableFuture;

/**
 * The asynchronous form of {@link RewardModel}: one request in, one future out (see {@link AsyncLanguageModel}).
 * Scoring must be deterministic and the reward finite. {@link BatchingRewardModel} turns any batch
 * {@link RewardModel} into one.
 */
public interface AsyncRewardModel {

    /**
     * Scores one request.
     *
     * @param request the (prompt, completion) pair
     * @return its reward, when done
     */
    CompletableFuture<Reward> score(RewardRequest request);

    /**
     * Number of parameters, for FLOPs estimates; 0 if unknown.
     *
     * @return number of parameters; 0 if unknown
     */
    default long parameterCount() {
        return 0;
    }
}
