/**
 * Test doubles shipped for users: {@link io.github.qalign.testing.ToyLanguageModel}, a tiny language model whose
 * exact distribution over completions can be enumerated (prefix continuation included),
 * {@link io.github.qalign.testing.ToyRewardModel}, a deterministic reward function of the sequence, and
 * {@link io.github.qalign.testing.ExactDistribution}, the exact {@code p_LM} and the exact QAlign target
 * {@code pi ∝ p_LM exp(r/beta)} for checking samplers and estimators against ground truth. Both models count
 * their batch calls.
 */
package io.github.qalign.testing;
