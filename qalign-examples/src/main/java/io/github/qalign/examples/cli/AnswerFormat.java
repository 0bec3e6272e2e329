package io.github.qalign.examples.cli;

import io.github.qalign.answer.AnswerExtractor;
import io.github.qalign.answer.Gsm8kAnswerExtractor;
import io.github.qalign.answer.IdentityAnswerExtractor;
import io.github.qalign.answer.MathAnswerExtractor;
import io.github.qalign.answer.MultipleChoiceAnswerExtractor;

/** What MV and WMV vote on ({@code --answer}). */
public enum AnswerFormat {
    /** The whole completion text (normalised whitespace): votes agree only on identical texts. */
    TEXT,
    /** The last number, GSM8K style. */
    NUMBER,
    /** The last \boxed{...} answer, MATH style. */
    BOXED,
    /** A multiple-choice letter A-J. */
    CHOICE;

    AnswerExtractor extractor() {
        return switch (this) {
            case TEXT -> new IdentityAnswerExtractor();
            case NUMBER -> new Gsm8kAnswerExtractor();
            case BOXED -> new MathAnswerExtractor();
            case CHOICE -> new MultipleChoiceAnswerExtractor('J');
        };
    }
}
