/**
 * An OpenAI- and vLLM-compatible HTTP service over any {@link io.github.qalign.model.LanguageModel} and
 * {@link io.github.qalign.model.RewardModel}: {@link io.github.qalign.serve.QalignServer} serves the model endpoints
 * ({@code /v1/completions}, {@code /classify}, {@code /tokenize}, {@code /detokenize}, {@code /v1/models},
 * {@code /health}, {@code /metrics}) with a batching request queue, and test-time alignment (QAlign, best-of-n,
 * majority vote, weighted majority vote, MBR) behind {@code /v1/chat/completions}.
 */
package io.github.qalign.serve;
