package io.github.qalign.answer;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last {@code \boxed{...}} (or {@code \fbox{...}}) of a MATH-style solution, lightly normalised.
 *
 * <p>Extraction: the last occurrence of {@code \boxed} or {@code \fbox}; its argument is the brace group that
 * follows (nested braces are matched; escaped braces {@code \{ \}} do not count), or, for the brace-less form
 * {@code \boxed 5}, the characters up to the next whitespace or {@code $}. No box, an unbalanced group or an empty
 * argument gives no answer.
 *
 * <p>Normalisation ({@link #normalize(String)}, applied to the argument), in this order:
 * <ol>
 *   <li>drop {@code \left} / {@code \right} before a delimiter, spacing commands {@code \! \, \; \: \quad} and
 *       {@code ~}, degree marks {@code ^\circ} / {@code ^{\circ}}, dollar signs ({@code \$}, {@code $}) and
 *       percent signs ({@code \%}, {@code %});</li>
 *   <li>{@code \dfrac} and {@code \tfrac} become {@code \frac};</li>
 *   <li>a trailing unit written as text after other content ({@code 5\text{ cm}}, {@code 864 \mbox{ inches}^2})
 *       is removed; any other {@code \text{X}}, {@code \textbf{X}}, {@code \mbox{X}} or {@code \mathrm{X}} is
 *       unwrapped to X ({@code \text{Evelyn}} is Evelyn);</li>
 *   <li>all whitespace is removed, then a trailing period;</li>
 *   <li>{@code \frac12} and {@code \frac1{2}} become {@code \frac{1}{2}}; {@code \sqrt2} becomes {@code \sqrt{2}};</li>
 *   <li>a lone number with thousands separators loses them ({@code 10,080} is 10080), a leading {@code .5}
 *       becomes {@code 0.5}, and an equation {@code x=...} whose left side is a variable of at most two letters
 *       keeps only its right side.</li>
 * </ol>
 * Mathematically equal but differently written answers ({@code 0.5} vs {@code \frac{1}{2}}) are NOT identified.
 */
public final class MathAnswerExtractor implements AnswerExtractor {

    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?=[\\s(\\[{|.)\\]}]|\\\\[{}|])");
    private static final Pattern SPACING = Pattern.compile("\\\\[!,;:]|\\\\quad|\\\\qquad|~");
    private static final Pattern DEGREES = Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*}?");
    private static final Pattern TEXT_UNIT_AT_END =
            Pattern.compile("(?<=\\S)\\s*\\\\(?:text|mbox|mathrm)\\{[^{}]*}(?:\\^\\{?\\d}?)?\\s*$");
    private static final Pattern TEXT_GROUP = Pattern.compile("\\\\(?:text|textbf|mbox|mathrm)\\{([^{}]*)}");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern FRAC_SHORT = Pattern.compile("\\\\frac(\\d)(\\d|\\{[^{}]*})");
    private static final Pattern FRAC_SHORT_DEN = Pattern.compile("\\\\frac(\\{[^{}]*})(\\d)");
    private static final Pattern SQRT_SHORT = Pattern.compile("\\\\sqrt(\\d)");
    private static final Pattern THOUSANDS = Pattern.compile("-?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SIMPLE_EQUATION = Pattern.compile("^[a-zA-Z]{1,2}=([^=]+)$");

    /** Creates the extractor. */
    public MathAnswerExtractor() {
    }

    @Override
    public Optional<String> extract(String text) {
        Objects.requireNonNull(text, "text");
        return lastBoxedContent(text).map(MathAnswerExtractor::normalize).filter(s -> !s.isEmpty());
    }

    /**
     * The raw argument of the last {@code \boxed} or {@code \fbox} in {@code text}.
     *
     * @param text any text
     * @return the argument, or empty if there is no box or its brace group is unbalanced
     */
    public static Optional<String> lastBoxedContent(String text) {
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (at < 0) {
            return Optional.empty();
        }
        int i = at + (text.startsWith("\\boxed", at) ? "\\boxed".length() : "\\fbox".length());
        if (i < text.length() && Character.isLetter(text.charAt(i))) {
            return Optional.empty(); // another command such as \boxedx
        }
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length()) {
            return Optional.empty();
        }
        if (text.charAt(i) != '{') {
            int end = i;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
                end++;
            }
            return Optional.of(text.substring(i, end));
        }
        int depth = 0;
        for (int j = i; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++; // skip the escaped character (\{, \}, \\)
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return Optional.of(text.substring(i + 1, j));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The light normalisation described in the class comment.
     *
     * @param answer a LaTeX answer such as {@code \left( 3, \dfrac{\pi}{2} \right)}
     * @return the normalised answer, possibly empty
     */
    public static String normalize(String answer) {
        String s = Objects.requireNonNull(answer, "answer").strip();
        s = LEFT_RIGHT.matcher(s).replaceAll("");
        s = SPACING.matcher(s).replaceAll("");
        s = DEGREES.matcher(s).replaceAll("");
        s = s.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = TEXT_UNIT_AT_END.matcher(s).replaceAll("");
        s = TEXT_GROUP.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        s = WHITESPACE.matcher(s).replaceAll("");
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = FRAC_SHORT.matcher(s).replaceAll(m -> Matcher.quoteReplacement(
                "\\frac{" + m.group(1) + "}" + (m.group(2).startsWith("{") ? m.group(2) : "{" + m.group(2) + "}")));
        s = FRAC_SHORT_DEN.matcher(s).replaceAll(m -> Matcher.quoteReplacement(
                "\\frac" + m.group(1) + "{" + m.group(2) + "}"));
        s = SQRT_SHORT.matcher(s).replaceAll("\\\\sqrt{$1}");
        if (THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        if (s.startsWith(".")) {
            s = "0" + s;
        }
        Matcher eq = SIMPLE_EQUATION.matcher(s);
        if (eq.matches()) {
            s = eq.group(1);
        }
        return s;
    }

    @Override
    public String toString() {
        return "math";
    }
}
