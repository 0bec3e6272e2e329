package io.github.qalign.model;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link AsyncLanguageModel} over any batch {@link LanguageModel}: pending requests are collected into
 * {@code generate} calls of at most {@code maxBatchSize} requests (requests with different {@link SamplingConfig}s go
 * in different calls), on {@code concurrency} worker threads. While a call runs, new requests queue up and form the
 * next call. Because every request carries its own seed, the generations are the ones the batch model would give
 * for the same requests in any batch.
 *
 * <p>Close it to stop the worker threads; requests still pending then fail with a
 * {@link java.util.concurrent.CancellationException}. The wrapped model is not closed.
 */
public final class BatchingLanguageModel implements AsyncLanguageModel, AutoCloseable {

    private final LanguageModel model;
    private final RequestBatcher<SamplingConfig, GenerationRequest, Generation> batcher;

    private BatchingLanguageModel(LanguageModel model, int maxBatchSize, int concurrency) {
        this.model = model;
        this.batcher = new RequestBatcher<>("language-model", (cfg, reqs) -> model.generate(reqs, cfg),
                maxBatchSize, concurrency);
    }

    /**
     * Wraps a batch model.
     *
     * @param model        the batch model (must be safe to call from {@code concurrency} threads at once)
     * @param maxBatchSize the largest number of requests per {@code generate} call, &gt;= 1
     * @param concurrency  how many {@code generate} calls may run at once, &gt;= 1 (1 for one local device)
     * @return the asynchronous view; close it when done
     */
    public static BatchingLanguageModel of(LanguageModel model, int maxBatchSize, int concurrency) {
        return new BatchingLanguageModel(Objects.requireNonNull(model, "model"), maxBatchSize, concurrency);
    }

    @Override
    public CompletableFuture<Generation> generate(GenerationRequest request, SamplingConfig config) {
        return batcher.submit(Objects.requireNonNull(config, "config"), request);
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
