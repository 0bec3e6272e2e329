/**
 * MATH answer equivalence beyond string equality ({@link io.github.qalign.eval.math.MathEquivalence}): the core
 * extractor's normalisation, structure-aware comparison of tuples, intervals, sets and matrices, and numeric
 * comparison of arithmetic LaTeX through a small evaluator.
 */
package io.github.qalign.eval.math;
