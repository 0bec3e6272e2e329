package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The end-of-text rules of {@link MultipleChoiceAnswerExtractor} (a parenthesised letter, or a letter alone on the
 * last line) against their defining regular expressions, and on degenerate model output (long runs of newlines,
 * spaces, stars or parentheses) that made those regular expressions quadratic.
 */
class MultipleChoiceTrailingRulesTest {

    private static final MultipleChoiceAnswerExtractor AD = new MultipleChoiceAnswerExtractor('D');
    /** The rule definitions, as documented (find(), end-anchored). */
    private static final Pattern TRAILING_PAREN = Pattern.compile("\\(\\s*([A-D])\\s*\\)[\\s.!*)]*$");
    private static final Pattern LAST_LINE = Pattern.compile("(?:^|\\n)[\\s*]*([A-D])[.)]?[\\s*]*$");

    static Optional<String> byRegex(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Texts without answer phrases, bold or boxed letters, so only the end-of-text rules can apply. */
    @Property(tries = 3000, seed = "20261127")
    void endOfTextRulesEqualTheirRegexDefinitions(
            @ForAll @StringLength(max = 14) @Chars({'\n', ' ', '\t', '*', '.', ')', '(', '!', 'A', 'B', 'E', 'x', 'a'})
            String text) {
        Optional<String> expected = byRegex(TRAILING_PAREN, text);
        if (expected.isEmpty()) {
            expected = byRegex(LAST_LINE, text);
        }
        assertThat(AD.extract(text)).as("'%s'", text.replace("\n", "\\n")).isEqualTo(expected);
    }

    @Property(tries = 500, seed = "20261128")
    void endOfTextRulesEqualTheirRegexDefinitionsOnLetterSuffixes(
            @ForAll @StringLength(max = 10) @Chars({'\n', ' ', '*', ')', '('}) String head,
            @ForAll @CharRange(from = 'A', to = 'F') char letter,
            @ForAll @StringLength(max = 8) @Chars({'\n', ' ', '*', '.', ')', '!', '\r'}) String tail) {
        String text = head + letter + tail;
        Optional<String> expected = byRegex(TRAILING_PAREN, text);
        if (expected.isEmpty()) {
            expected = byRegex(LAST_LINE, text);
        }
        assertThat(AD.extract(text)).as("'%s'", text.replace("\n", "\\n")).isEqualTo(expected);
    }

    /** Hang guard (not a performance test): quadratic matching took minutes on these, linear takes milliseconds. */
    @Test
    void degenerateOutputDoesNotHang() {
        int n = 200_000;
        List<String> texts = List.of("\n".repeat(n) + "x", " ".repeat(n) + "x", "*".repeat(n) + "x",
                "(A)" + ")".repeat(n) + "x", "(B" + " ".repeat(n) + "x", "\n".repeat(n) + "C.", "(" + " ".repeat(n) + "D)");
        List<Optional<String>> expected = List.of(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("C"), Optional.of("D"));
        for (AnswerExtractor e : List.of(AD, AnswerExtractor.gsm8k(), AnswerExtractor.math(), AnswerExtractor.identity())) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (String t : texts) {
                    e.extract(t);
                }
            }, e.toString());
        }
        for (int i = 0; i < texts.size(); i++) {
            assertThat(AD.extract(texts.get(i))).isEqualTo(expected.get(i));
        }
    }
}
