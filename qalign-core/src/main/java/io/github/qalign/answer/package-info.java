/**
 * Answer extraction for voting: an {@link io.github.qalign.answer.AnswerExtractor} maps a completion's text to a
 * canonical answer string (or to nothing when no answer can be found; such samples do not vote). Extractors for
 * GSM8K (numbers with numeric equality), MATH (last {@code \boxed{...}} with light LaTeX normalisation), multiple
 * choice (letters, never the article "A" or the pronoun "I" in prose) and identity (trimmed text).
 */
package io.github.qalign.answer;
