/**
 * The evaluation datasets of the paper's Table 1 (GSM8K, MATH500, MMLU-Redux, TruthfulQA, IFEval), shipped as
 * compact gzipped JSON lines with their licences and provenance, and loaded as records by {@link
 * io.github.qalign.eval.data.Datasets}.
 */
package io.github.qalign.eval.data;
