package io.github.qalign.model;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link AsyncRewardModel} over any batch {@link RewardModel}: pending requests are collected into {@code score}
 * calls of at most {@code maxBatchSize} requests on {@code concurrency} worker threads (see
 * {@link BatchingLanguageModel}). Close it to stop the workers; the wrapped model is not closed.
 */
public final class BatchingRewardModel implements AsyncRewardModel, AutoCloseable {

    private final RewardModel model;
    private final RequestBatcher<Boolean, RewardRequest, Reward> batcher;

    private BatchingRewardModel(RewardModel model, int maxBatchSize, int concurrency) {
        this.model = model;
        this.batcher = new RequestBatcher<>("reward-model", (k, reqs) -> model.score(reqs), maxBatchSize,
                concurrency);
    }

    /**
     * Wraps a batch model.
     *
     * @param model        the batch model (must be safe to call from {@code concurrency} threads at once)
     * @param maxBatchSize the largest number of requests per {@code score} call, &gt;= 1
     * @param concurrency  how many {@code score} calls may run at once, &gt;= 1
     * @return the asynchronous view; close it when done
     */
    public static BatchingRewardModel of(RewardModel model, int maxBatchSize, int concurrency) {
        return new BatchingRewardModel(Objects.requireNonNull(model, "model"), maxBatchSize, concurrency);
    }

    @Override
    public CompletableFuture<Reward> score(RewardRequest request) {
        return batcher.submit(Boolean.TRUE, request);
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public void close() {
        batcher.close();
    }
}
