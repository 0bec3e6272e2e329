/**
 * The compute sweep behind {@code qalign sweep} and {@code qalign demo}: every method (QAlign, best-of-n, majority
 * vote, weighted majority vote, MBR) at budgets 1, 2, 4, ..., N from one run per method, measured on a gold metric
 * and on the proxy reward against compute, with CSV, text-table and PNG writers.
 *
 * <p>Also the pre-registered reward over-optimization experiment behind {@code qalign overopt}
 * (docs/overoptimization-design.md): {@link io.github.qalign.examples.experiment.OveroptRunner} (units of one prompt
 * under one seed, block by block, resumable), the {@link io.github.qalign.examples.experiment.SuffixSearch} baseline,
 * {@link io.github.qalign.examples.experiment.PairedBootstrap} intervals,
 * {@link io.github.qalign.examples.experiment.OveroptAnalysis} and
 * {@link io.github.qalign.examples.experiment.OveroptPlot}.
 */
package io.github.qalign.examples.experiment;
