/**
 * Samplers: {@link io.github.qalign.sampler.QAlignSampler}, the QAlign Metropolis-Hastings chain over completions
 * (QUEST suffix proposal, or the independence variant) run in lockstep over many prompts and chains, and
 * {@link io.github.qalign.sampler.IndependentSampler}, batched ancestral samples for the baselines (best-of-n,
 * majority vote, weighted majority vote, MBR). Both talk to models only through
 * {@link io.github.qalign.model.LanguageModel} and {@link io.github.qalign.model.RewardModel}, check their contract
 * (a violation raises {@link io.github.qalign.model.ModelException}) and take every random draw from the
 * {@link java.util.random.RandomGenerator} passed to {@code run}.
 */
package io.github.qalign.sampler;
