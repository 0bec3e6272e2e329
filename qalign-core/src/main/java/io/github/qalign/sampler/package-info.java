/**
 * Samplers: {@link io.github.qalign.sampler.QAlignSampler}, the QAlign Metropolis-Hastings chain over completions
 * (QUEST suffix proposal, or the independence variant) run in lockstep over many prompts and chains, and
 * {@link io.github.qalign.sampler.IndependentSampler}, batched ancestral samples for the baselines (best-of-n,
 * majority vote, weighted majority vote, MBR). Both talk to models only through
 * {@link io.github.qalign.model.LanguageModel} and {@link io.github.qalign.model.RewardModel}, check their contract
 * (a violation raises {@link io.github.qalign.model.ModelException}) and take every random draw of a prompt's chain
 * or sample from its own stream derived from the run seed and the prompt's key ({@link
 * io.github.qalign.sampler.RandomStreams}, {@link io.github.qalign.sampler.KeyedPrompt}), so a prompt's results never
 * depend on the rest of the run. Chains can start from given completions or from importance-resampled base samples
 * ({@link io.github.qalign.sampler.WarmStart}), and can be driven in lockstep batches or independently through the
 * asynchronous model seams ({@link io.github.qalign.sampler.Scheduling}); both give the same chains.
 */
package io.github.qalign.sampler;
