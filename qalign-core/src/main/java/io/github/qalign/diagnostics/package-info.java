/**
 * Chain diagnostics: {@link io.github.qalign.diagnostics.EffectiveSampleSize} (Geyer's initial monotone sequence
 * estimator, FFT autocovariances, O(n log n)), {@link io.github.qalign.diagnostics.SplitRhat} (rank-normalized
 * split-R-hat of Vehtari et al. 2021, as ArviZ), {@link io.github.qalign.diagnostics.ChainDiagnostics} (acceptance
 * rate, reward-trace ESS, resample index statistics, tokens generated per step) of a
 * {@link io.github.qalign.sampler.ChainResult}, and {@link io.github.qalign.diagnostics.PromptDiagnostics} (all chains
 * of a prompt with the R-hat of their reward traces).
 */
package io.github.qalign.diagnostics;
