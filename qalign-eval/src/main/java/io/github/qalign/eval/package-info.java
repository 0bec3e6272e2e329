/**
 * Model-independent evaluation for the paper's benchmarks: a {@link io.github.qalign.eval.Benchmark} per dataset
 * (items, Appendix D prompt messages, scoring of a response). Datasets live in {@code data}, prompts in
 * {@code prompt}, MATH answer equivalence in {@code math}, IFEval checkers in {@code ifeval}.
 */
package io.github.qalign.eval;
