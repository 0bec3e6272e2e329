/**
 * Utilities u(a, b) in [0, 1] for minimum-Bayes-risk selection: {@link io.github.qalign.utility.Utility} and its
 * indexed form for pairwise matrices, ROUGE-1 F1 and ROUGE-L F1 over token ids or lower-cased words
 * ({@link io.github.qalign.utility.Rouge}), and exact match.
 */
package io.github.qalign.utility;
