/**
 * IFEval scoring without a model: the 25 verifiable-instruction checkers ({@link
 * io.github.qalign.eval.ifeval.Instructions}), strict and loose evaluation ({@link
 * io.github.qalign.eval.ifeval.IfEvalEvaluator}), the four accuracies ({@link
 * io.github.qalign.eval.ifeval.IfEvalAccuracy}) and a command-line scorer for response files ({@link
 * io.github.qalign.eval.ifeval.IfEvalScorer}). Semantics follow Google's reference implementation; docs/ifeval.md
 * lists where they can differ and what that costs on GPT-4's published responses.
 */
package io.github.qalign.eval.ifeval;
