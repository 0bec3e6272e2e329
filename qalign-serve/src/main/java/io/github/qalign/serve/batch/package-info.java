/**
 * The request queue that turns concurrent HTTP requests into the runtime's batched forward passes.
 *
 * <p>{@link io.github.qalign.serve.batch.BatchingLanguageModel} and
 * {@link io.github.qalign.serve.batch.BatchingRewardModel} are a {@code LanguageModel} / {@code RewardModel} in front
 * of the real one: every caller (an HTTP handler thread, or a sampler serving an alignment request) enqueues its rows
 * and blocks; one worker thread per model forms batches and calls the real model once per batch. How a batch forms:
 * the worker takes the oldest job, then everything already queued, then waits at most {@code maxWait} for more, until
 * the batch holds {@code maxRows} rows; jobs are never split. While the model runs a batch, new requests queue up, so
 * under load batches fill without any added wait. {@link io.github.qalign.serve.batch.BatchStats} records the size of
 * every batch the runtime saw.
 */
package io.github.qalign.serve.batch;
