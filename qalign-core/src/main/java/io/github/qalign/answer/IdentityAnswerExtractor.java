package io.github.qalign.answer;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer is the whole text with leading and trailing whitespace removed ({@link String#strip()}); a blank text
 * has no answer. Useful for tasks whose completions are already short answers, and for testing.
 */
public final class IdentityAnswerExtractor implements AnswerExtractor {

    /** Creates the extractor. */
    public IdentityAnswerExtractor() {
    }

    @Override
    public Optional<String> extract(String text) {
        String t = Objects.requireNonNull(text, "text").strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }

    @Override
    public String toString() {
        return "identity";
    }
}
