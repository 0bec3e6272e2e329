/**
 * Chain diagnostics: {@link io.github.qalign.diagnostics.EffectiveSampleSize} (Geyer's initial monotone sequence
 * estimator) and {@link io.github.qalign.diagnostics.ChainDiagnostics} (acceptance rate, reward-trace ESS, resample
 * index statistics, tokens generated per step) of a {@link io.github.qalign.sampler.ChainResult}.
 */
package io.github.qalign.diagnostics;
