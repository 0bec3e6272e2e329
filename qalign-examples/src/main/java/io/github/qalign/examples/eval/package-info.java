/**
 * The benchmark harness behind {@code qalign eval}: per-dataset answer selection at every budget
 * ({@link io.github.qalign.examples.eval.EvalSelection}), aggregation of per-item outcomes into accuracies with
 * standard errors and FLOPs ({@link io.github.qalign.examples.eval.EvalAggregate}), and the paper's Table 1 and
 * Figure 1 / Figure 6 outputs ({@link io.github.qalign.examples.eval.EvalReport},
 * {@link io.github.qalign.examples.eval.EvalPlot}).
 */
package io.github.qalign.examples.eval;
