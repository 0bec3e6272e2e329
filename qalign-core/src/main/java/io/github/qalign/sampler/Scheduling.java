package io.github.qalign.sampler;

/**
 * How {@link QAlignSampler} drives its chains. Both give identical chains for the same seed (every chain draws only
 * from its own stream); they differ in how requests reach the models.
 */
public enum Scheduling {
    /**
     * All chains advance together: one {@code generate} and one {@code score} batch call per step over every chain.
     * A step waits for its slowest request.
     */
    LOCKSTEP,
    /**
     * Every chain advances on its own (generate, score, accept, next request) through the asynchronous model seams
     * ({@link io.github.qalign.model.AsyncLanguageModel}, {@link io.github.qalign.model.AsyncRewardModel}): a chain's
     * next request is submitted as soon as its previous one is done, so a backend with continuous batching or a pool
     * of servers keeps its batch full. Without asynchronous models set on the builder, the batch models are wrapped
     * in {@link io.github.qalign.model.BatchingLanguageModel} / {@link io.github.qalign.model.BatchingRewardModel}
     * for the run.
     */
    ASYNC
}
