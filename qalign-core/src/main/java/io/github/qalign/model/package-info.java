/**
 * The seam between the samplers and real models: {@link io.github.qalign.model.LanguageModel} (batch-first
 * continuation of prompt + prefix requests), {@link io.github.qalign.model.RewardModel} (batch scoring), their
 * asynchronous per-request forms {@link io.github.qalign.model.AsyncLanguageModel} and
 * {@link io.github.qalign.model.AsyncRewardModel} (for backends with continuous batching or server pools; any batch
 * model becomes one through {@link io.github.qalign.model.BatchingLanguageModel} /
 * {@link io.github.qalign.model.BatchingRewardModel}), and the value types that cross them.
 */
package io.github.qalign.model;
