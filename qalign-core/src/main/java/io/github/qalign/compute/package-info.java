/**
 * Compute accounting: {@link io.github.qalign.compute.ComputeUsage} adds up the language-model and reward-model
 * tokens a method consumed and converts them to FLOPs with the paper's {@code 2 * parameters * tokens} rule
 * (App. B); {@link io.github.qalign.compute.ComputeLedger} keeps one usage per named method.
 */
package io.github.qalign.compute;
