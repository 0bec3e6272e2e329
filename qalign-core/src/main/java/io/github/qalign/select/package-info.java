/**
 * Choosing one output from a list of scored samples (independent samples, or the states of a QAlign chain with
 * repeats): best-of-n ({@link io.github.qalign.select.BestOfN}), majority vote
 * ({@link io.github.qalign.select.MajorityVote}), weighted majority vote
 * ({@link io.github.qalign.select.WeightedMajorityVote}) and minimum Bayes risk ({@link io.github.qalign.select.Mbr}),
 * each also as a budget sweep over the prefixes 1, 2, 4, ..., T of one run ({@link io.github.qalign.select.Budgets}).
 *
 * <p>The list order is the sample order (chain order or sample index) and every tie is broken towards the earliest
 * sample, so all selections are deterministic functions of the list. Selectors are immutable and thread-safe when
 * their answer extractor, utility and view are (all the provided ones are).
 */
package io.github.qalign.select;
