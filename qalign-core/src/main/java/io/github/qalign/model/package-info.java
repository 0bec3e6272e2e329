/**
 * The seam between the samplers and real models: {@link io.github.qalign.model.LanguageModel} (batch-first
 * continuation of prompt + prefix requests), {@link io.github.qalign.model.RewardModel} (batch scoring) and the
 * value types that cross it.
 */
package io.github.qalign.model;
