package io.github.qalign.answer;

import java.util.Locale;

/**
 * The answer formats a command line or a job names: what majority votes are cast on and what a reference answer is
 * compared with. Each maps to one of the extractors of this package.
 */
public enum AnswerFormat {
    /** The whole completion text (trimmed): votes agree only on identical texts; QAlign then selects by MBR. */
    TEXT,
    /** The last number, GSM8K style. */
    NUMBER,
    /** The last \boxed{...} answer, MATH style. */
    BOXED,
    /** A multiple-choice letter A-J. */
    CHOICE;

    /**
     * The extractor of this format.
     *
     * @return a new extractor
     */
    public AnswerExtractor extractor() {
        return switch (this) {
            case TEXT -> new IdentityAnswerExtractor();
            case NUMBER -> new Gsm8kAnswerExtractor();
            case BOXED -> new MathAnswerExtractor();
            case CHOICE -> new MultipleChoiceAnswerExtractor('J');
        };
    }

    /**
     * Parses a command-line name.
     *
     * @param s text, number, boxed or choice (case-insensitive)
     * @return the format
     */
    public static AnswerFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown answer format '" + s + "': expected text, number, boxed or "
                    + "choice", e);
        }
    }
}
