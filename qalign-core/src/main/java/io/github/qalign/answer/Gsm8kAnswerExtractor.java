package io.github.qalign.answer;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The final number of a GSM8K-style solution, canonicalised so that numerically equal answers are equal strings.
 *
 * <p>Where the answer is looked for, in order (the first rule that finds a number wins):
 * <ol>
 *   <li>after the last {@code ####} marker (the GSM8K gold format): the first number after it;</li>
 *   <li>inside the last {@code \boxed{...}}: the first number in it;</li>
 *   <li>after the last "answer is" or "answer:" (case-insensitive, so "The final answer is" too): the first
 *       number after it;</li>
 *   <li>otherwise the last number anywhere in the text.</li>
 * </ol>
 * A number is an optional minus sign (not directly after a digit or letter, so "5-3" yields 5 and 3), an optional
 * {@code $}, digits with optional thousands separators in groups of three ({@code 1,000}), and an optional decimal
 * part; a trailing sentence period is not part of it ({@code "18."} is 18).
 *
 * <p>Canonical form: {@link BigDecimal#stripTrailingZeros()} then {@link BigDecimal#toPlainString()}, so
 * "18.00", "$18" and "18" are all "18", "1,000" is "1000", "-0" is "0" and "0.50" is "0.5".
 */
public final class Gsm8kAnswerExtractor implements AnswerExtractor {

    private static final Pattern NUMBER =
            Pattern.compile("(?<![\\p{L}\\p{N}_.])(-)?(?:\\$\\s?)?(\\d{1,3}(?:,\\d{3})+|\\d+)(\\.\\d+)?");
    private static final Pattern ANSWER_PHRASE = Pattern.compile("answer\\s*(?:is|:)", Pattern.CASE_INSENSITIVE);
    private static final String MARKER = "####";

    /** Creates the extractor. */
    public Gsm8kAnswerExtractor() {
    }

    @Override
    public Optional<String> extract(String text) {
        Objects.requireNonNull(text, "text");
        int marker = text.lastIndexOf(MARKER);
        if (marker >= 0) {
            Optional<String> n = firstNumber(text.substring(marker + MARKER.length()));
            if (n.isPresent()) {
                return n;
            }
        }
        Optional<String> boxed = MathAnswerExtractor.lastBoxedContent(text).flatMap(Gsm8kAnswerExtractor::firstNumber);
        if (boxed.isPresent()) {
            return boxed;
        }
        Matcher phrase = ANSWER_PHRASE.matcher(text);
        int after = -1;
        while (phrase.find()) {
            after = phrase.end();
        }
        if (after >= 0) {
            Optional<String> n = firstNumber(text.substring(after));
            if (n.isPresent()) {
                return n;
            }
        }
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = canonical(m);
        }
        return Optional.ofNullable(last);
    }

    /**
     * The canonical form of a number written as text, for comparing gold answers.
     *
     * @param number a number such as "1,000", "-3", "18.00" or "$5"
     * @return the canonical string, or empty if {@code number} holds no number
     */
    public static Optional<String> canonicalNumber(String number) {
        return firstNumber(Objects.requireNonNull(number, "number"));
    }

    private static Optional<String> firstNumber(String s) {
        Matcher m = NUMBER.matcher(s);
        return m.find() ? Optional.of(canonical(m)) : Optional.empty();
    }

    private static String canonical(Matcher m) {
        String sign = m.group(1) == null ? "" : "-";
        String integer = m.group(2).replace(",", "");
        String frac = m.group(3) == null ? "" : m.group(3);
        return new BigDecimal(sign + integer + frac).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return "gsm8k";
    }
}
