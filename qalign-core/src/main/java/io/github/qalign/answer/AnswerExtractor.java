package io.github.qalign.answer;

import java.util.Optional;

/**
 * Maps a completion's text to its canonical final answer. Two completions agree on an answer exactly when their
 * canonical strings are equal, so all normalisation (number formatting, LaTeX spacing, letter case) happens here.
 *
 * <p>Implementations are pure and thread-safe; they never throw on any text (a text without a recognisable answer
 * yields {@link Optional#empty()}), only on a {@code null} text.
 */
@FunctionalInterface
public interface AnswerExtractor {

    /**
     * The canonical answer in {@code text}, if any.
     *
     * @param text a completion's text, not null
     * @return the canonical answer, or empty when none is found (the sample then abstains from voting)
     */
    Optional<String> extract(String text);

    /**
     * GSM8K-style final numbers, see {@link Gsm8kAnswerExtractor}.
     *
     * @return the extractor
     */
    static AnswerExtractor gsm8k() {
        return new Gsm8kAnswerExtractor();
    }

    /**
     * MATH-style last boxed answer, see {@link MathAnswerExtractor}.
     *
     * @return the extractor
     */
    static AnswerExtractor math() {
        return new MathAnswerExtractor();
    }

    /**
     * Multiple choice with options A-D, see {@link MultipleChoiceAnswerExtractor}.
     *
     * @return the extractor
     */
    static AnswerExtractor multipleChoice() {
        return new MultipleChoiceAnswerExtractor('D');
    }

    /**
     * The trimmed text itself, see {@link IdentityAnswerExtractor}.
     *
     * @return the extractor
     */
    static AnswerExtractor identity() {
        return new IdentityAnswerExtractor();
    }
}
