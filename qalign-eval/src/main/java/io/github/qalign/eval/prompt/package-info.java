/**
 * The paper's Appendix D evaluation prompts as chat messages ({@link io.github.qalign.eval.prompt.PaperPrompts}),
 * ready for a model's chat template.
 */
package io.github.qalign.eval.prompt;
