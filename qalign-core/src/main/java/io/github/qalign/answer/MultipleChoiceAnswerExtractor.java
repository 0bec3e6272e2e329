package io.github.qalign.answer;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chosen option letter of a multiple-choice answer, as an upper-case one-letter string ("A" .. last letter).
 *
 * <p>Only upper-case letters from 'A' to the configured last letter (default 'D'; up to 'J' for ten options, any
 * letter up to 'Z' accepted) are options. A letter counts only in one of these forms, tried in this order; within a
 * rule the LAST occurrence in the text wins:
 * <ol>
 *   <li>after an answer phrase: "answer is", "answer:", "answer would be", "option is", "choice is" (phrase
 *       case-insensitive, e.g. "The correct answer is", "Answer:", "final answer is option"), followed by the
 *       letter as {@code (B)}, {@code [B]}, {@code **B**}, {@code **(B)**}, {@code \boxed{B}}, or bare {@code B}
 *       not followed by a letter or digit;</li>
 *   <li>anywhere, a bold {@code **C**} / {@code **(C)**} or boxed {@code \boxed{C}} letter;</li>
 *   <li>at the very end of the text (only spaces and {@code . ! * )} after it): a parenthesised {@code (C)}, or a
 *       bare letter standing alone on the last line ({@code "C"}, {@code "C."}).</li>
 * </ol>
 * So a letter in running prose never matches: the article "A" in "A good approach..." and the pronoun "I" in
 * "I think..." are neither in an answer pattern nor parenthesised, bold or alone on the last line. In rule 1, a
 * bare "A" or "I" directly followed by whitespace and a lower-case word or by an apostrophe ("Answer: A simple
 * check shows", "Answer: I'm not sure") is read as prose and skipped (write "(A)" or "A." to be unambiguous).
 * Option labels in a restated question ("A. foo") are not answers.
 */
public final class MultipleChoiceAnswerExtractor implements AnswerExtractor {

    private final char lastLetter;
    private final Pattern phrase;
    private final Pattern emphasised;

    /**
     * An extractor for options 'A' to {@code lastLetter}.
     *
     * @param lastLetter the last option letter, 'A' to 'Z' (e.g. 'D' for four options, 'J' for ten)
     * @throws IllegalArgumentException if {@code lastLetter} is not an upper-case ASCII letter
     */
    public MultipleChoiceAnswerExtractor(char lastLetter) {
        if (lastLetter < 'A' || lastLetter > 'Z') {
            throw new IllegalArgumentException("lastLetter must be an upper-case letter A-Z, got '" + lastLetter + "'");
        }
        this.lastLetter = lastLetter;
        String l = "[A-" + lastLetter + "]";
        String forms = "\\(\\s*(" + l + ")\\s*\\)"
                + "|\\[(" + l + ")]"
                + "|\\*\\*\\(?(" + l + ")\\)?\\*\\*"
                + "|\\\\boxed\\{(" + l + ")}"
                + "|(" + l + ")(?![\\p{L}\\p{N}])";
        this.phrase = Pattern.compile(
                "(?i:answer\\s*(?:is|:|would\\s+be)|option\\s+is|choice\\s+is)\\s*:?\\s*"
                        + "(?i:(?:option|choice)\\s+)?(?:" + forms + ")");
        this.emphasised = Pattern.compile("\\*\\*\\(?(" + l + ")\\)?\\*\\*|\\\\boxed\\{(" + l + ")}");
    }

    /**
     * The last option letter.
     *
     * @return the last letter accepted
     */
    public char lastLetter() {
        return lastLetter;
    }

    @Override
    public Optional<String> extract(String text) {
        Objects.requireNonNull(text, "text");
        String found = null;
        Matcher m = phrase.matcher(text);
        while (m.find()) {
            String bare = m.group(5);
            if (bare != null && isProse(text, m.end(), bare.charAt(0))) {
                continue;
            }
            found = firstNonNull(m);
        }
        if (found != null) {
            return Optional.of(found);
        }
        Matcher e = emphasised.matcher(text);
        while (e.find()) {
            found = firstNonNull(e);
        }
        if (found != null) {
            return Optional.of(found);
        }
        int paren = trailingParenthesisedLetter(text);
        if (paren >= 0) {
            return Optional.of(String.valueOf(text.charAt(paren)));
        }
        int alone = letterAloneOnLastLine(text);
        return alone >= 0 ? Optional.of(String.valueOf(text.charAt(alone))) : Optional.empty();
    }

    /*
     * The two end-of-text rules are scanned from the end in linear time. As regular expressions
     * ("\\(\\s*(L)\\s*\\)[\\s.!*)]*$" and "(?:^|\\n)[\\s*]*(L)[.)]?[\\s*]*$", with find()) they backtracked
     * quadratically on long runs of newlines, spaces or parentheses, which degenerate model outputs contain.
     * MultipleChoiceTrailingRulesTest checks these scans against those expressions.
     */

    /** Position of the letter of a trailing {@code (L)} followed only by {@code \s . ! * )}, or -1. */
    private int trailingParenthesisedLetter(String text) {
        int e = text.length();
        while (e > 0 && isTrailingPunctuation(text.charAt(e - 1))) {
            e--;
        }
        int q = e - 1; // the letter is the first character not in the trailing class
        if (q < 0 || !isOption(text.charAt(q))) {
            return -1;
        }
        int after = e;
        while (after < text.length() && isRegexSpace(text.charAt(after))) {
            after++;
        }
        if (after == text.length() || text.charAt(after) != ')') {
            return -1;
        }
        int before = q;
        while (before > 0 && isRegexSpace(text.charAt(before - 1))) {
            before--;
        }
        return before > 0 && text.charAt(before - 1) == '(' ? q : -1;
    }

    /** Position of a letter alone on the last line ({@code [\s*]* L [.)]? [\s*]*} after a newline), or -1. */
    private int letterAloneOnLastLine(String text) {
        int e = text.length();
        while (e > 0 && isSpaceOrStar(text.charAt(e - 1))) {
            e--;
        }
        int q = e - 1;
        if (q >= 0 && (text.charAt(q) == '.' || text.charAt(q) == ')')) {
            q--;
        }
        if (q < 0 || !isOption(text.charAt(q))) {
            return -1;
        }
        int b = q;
        boolean newline = false;
        while (b > 0 && isSpaceOrStar(text.charAt(b - 1))) {
            newline |= text.charAt(b - 1) == '\n';
            b--;
        }
        return b == 0 || newline ? q : -1;
    }

    private boolean isOption(char c) {
        return c >= 'A' && c <= lastLetter;
    }

    /** Java's {@code \s} without UNICODE_CHARACTER_CLASS. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean isSpaceOrStar(char c) {
        return c == '*' || isRegexSpace(c);
    }

    private static boolean isTrailingPunctuation(char c) {
        return c == '.' || c == '!' || c == '*' || c == ')' || isRegexSpace(c);
    }

    private static boolean isProse(String text, int end, char letter) {
        if (letter != 'A' && letter != 'I') {
            return false;
        }
        if (end < text.length() && (text.charAt(end) == '\'' || text.charAt(end) == '\u2019')) {
            return true;
        }
        int i = end;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i > end && i < text.length() && Character.isLowerCase(text.charAt(i));
    }

    private static String firstNonNull(Matcher m) {
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        throw new IllegalStateException("pattern matched without a letter group");
    }

    @Override
    public String toString() {
        return "multipleChoice(A-" + lastLetter + ")";
    }
}
