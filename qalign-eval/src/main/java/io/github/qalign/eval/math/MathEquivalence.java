package io.github.qalign.eval.math;

import io.github.qalign.answer.MathAnswerExtractor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Whether two MATH answers are the same answer, beyond string equality.
 *
 * <p>Both answers first go through {@link MathAnswerExtractor#normalize(String)} (which removes {@code \left} /
 * {@code \right}, spacing, degrees, dollar and percent signs, text units, {@code \text{}} wrappers, and rewrites
 * {@code \dfrac}, {@code \frac12}, thousands separators, {@code x=}). Then, in order:
 * <ol>
 *   <li>equal strings, ignoring case for plain words, are the same answer;</li>
 *   <li>a few spellings are unified: {@code \le}/{@code \leq}, {@code \ge}/{@code \geq}, {@code \ne}/{@code \neq},
 *       {@code \{ \}} set braces, {@code \mathbf}, {@code \displaystyle}, a trailing period or comma, a lone letter
 *       in parentheses ({@code (C)} is {@code C});</li>
 *   <li>structures are compared part by part: matrices ({@code pmatrix}, {@code bmatrix}) entry by entry; unions
 *       ({@code \cup}) as sets of parts; {@code a \pm b} as the two values {@code a+b, a-b}; intervals and tuples
 *       in brackets ({@code (1,2]}, {@code \left(3, \frac{\pi}{2}\right)}) element by element with the same
 *       brackets; bare comma lists ({@code 1, -2}) as multisets (order of listed solutions does not matter);
 *       equations {@code a=b} side by side;</li>
 *   <li>parts that both parse as arithmetic (a small evaluator, {@code LatexExpression}: numbers, {@code \frac},
 *       {@code \sqrt}, powers, {@code \pi}, variables, implicit products, mixed numbers) are equal when they
 *       evaluate to the same value at three fixed assignments of their variables (relative tolerance 1e-9, so
 *       {@code 0.5 = \frac{1}{2}} but {@code 0.333 != \frac13}; {@code 2x+x^2 = x^2+2x}, {@code 2x != 2y});
 *       infinities are equal when their signs are.</li>
 * </ol>
 * Everything else is compared as normalised strings. The check is symmetric and never throws on any input.
 */
public final class MathEquivalence {

    private static final double REL_TOL = 1e-9;
    private static final Pattern PAREN_LETTER = Pattern.compile("^\\(([A-Za-z])\\)$");
    private static final Pattern PLAIN_WORDS = Pattern.compile("^[A-Za-z ]+$");
    private static final Pattern MATRIX = Pattern.compile("^\\\\begin\\{([pbvB]?matrix)}(.*)\\\\end\\{\\1}$");

    private MathEquivalence() {
    }

    /**
     * Whether {@code a} and {@code b} are the same MATH answer.
     *
     * @param a an answer as LaTeX (e.g. the content of a {@code \boxed{}}), not null
     * @param b another answer, not null
     * @return true if they are equivalent under the rules of the class comment
     */
    public static boolean equivalent(String a, String b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        try {
            return same(canonical(a), canonical(b), 0);
        } catch (RuntimeException e) {
            return false; // unsupported input is compared as strings only, never an error
        }
    }

    /**
     * Whether the last boxed answer of {@code response} is equivalent to {@code gold}.
     *
     * @param response a model's response, its final answer in {@code \boxed{}}
     * @param gold     the gold answer (LaTeX)
     * @return true if the response has a boxed answer equivalent to {@code gold}
     */
    public static boolean boxedAnswerMatches(String response, String gold) {
        Optional<String> boxed = MathAnswerExtractor.lastBoxedContent(Objects.requireNonNull(response, "response"));
        return boxed.isPresent() && equivalent(boxed.get(), gold);
    }

    /** {@link #equivalent} for two answers already passed through {@link #canonical(String)}. */
    static boolean equivalentCanonical(String canonicalA, String canonicalB) {
        try {
            return same(canonicalA, canonicalB, 0);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The normalised form both answers are compared in. */
    static String canonical(String answer) {
        String s = MathAnswerExtractor.normalize(answer);
        s = s.replace("\\leq", "\\le").replace("\\geq", "\\ge").replace("\\neq", "\\ne")
                .replace("\\displaystyle", "").replace("\\mathbf", "").replace("\\boldsymbol", "")
                .replace("\\{", "{").replace("\\}", "}").replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replace("\\left", "").replace("\\right", "");
        while (s.endsWith(".") || s.endsWith(",")) {
            s = s.substring(0, s.length() - 1);
        }
        var m = PAREN_LETTER.matcher(s);
        if (m.matches()) {
            s = m.group(1);
        }
        return s;
    }

    private static boolean same(String a, String b, int depth) {
        if (a.equals(b)) {
            return true;
        }
        if (depth > 8) {
            return false;
        }
        if (PLAIN_WORDS.matcher(a).matches() && PLAIN_WORDS.matcher(b).matches()) {
            return a.equalsIgnoreCase(b);
        }
        var ma = MATRIX.matcher(a);
        var mb = MATRIX.matcher(b);
        if (ma.matches() || mb.matches()) {
            if (!(ma.matches() && mb.matches())) {
                return false;
            }
            List<String> ra = splitTop(ma.group(2), "\\\\");
            List<String> rb = splitTop(mb.group(2), "\\\\");
            if (ra.size() != rb.size()) {
                return false;
            }
            for (int i = 0; i < ra.size(); i++) {
                if (!pairwise(splitTop(ra.get(i), "&"), splitTop(rb.get(i), "&"), depth)) {
                    return false;
                }
            }
            return true;
        }
        if (a.contains("\\pm") || b.contains("\\pm")) {
            return asMultisets(plusMinus(a), plusMinus(b), depth);
        }
        List<String> ua = splitTop(a, "\\cup");
        List<String> ub = splitTop(b, "\\cup");
        if (ua.size() > 1 || ub.size() > 1) {
            return asMultisets(ua, ub, depth);
        }
        Bracketed ba = Bracketed.of(a);
        Bracketed bb = Bracketed.of(b);
        if (ba != null || bb != null) {
            if (ba != null && bb != null) {
                return ba.open == bb.open && ba.close == bb.close && pairwise(ba.items, bb.items, depth);
            }
            // a bracketed tuple never equals a bare value; a bare list may equal a set in braces
            Bracketed one = ba != null ? ba : bb;
            String other = ba != null ? b : a;
            return one.open == '{' && asMultisets(one.items, splitTop(other, ","), depth);
        }
        List<String> la = splitTop(a, ",");
        List<String> lb = splitTop(b, ",");
        if (la.size() > 1 || lb.size() > 1) {
            return asMultisets(la, lb, depth);
        }
        List<String> ea = splitTop(a, "=");
        List<String> eb = splitTop(b, "=");
        if (ea.size() > 1 || eb.size() > 1) {
            return pairwise(ea, eb, depth);
        }
        return numericallyEqual(a, b);
    }

    private static boolean pairwise(List<String> a, List<String> b, int depth) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.get(i), b.get(i), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    private static boolean asMultisets(List<String> a, List<String> b, int depth) {
        if (a.size() != b.size() || a.size() > 64) {
            return false;
        }
        boolean[] used = new boolean[b.size()];
        outer:
        for (String x : a) {
            for (int j = 0; j < b.size(); j++) {
                if (!used[j] && same(x, b.get(j), depth + 1)) {
                    used[j] = true;
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    /** Variable assignments used to compare expressions with variables: irrational-looking, distinct, positive. */
    private static final double[][] POINTS = {{1.2345, 2.7182, 0.6931}, {3.1416, 1.4142, 2.2360},
        {0.5772, 1.6180, 4.6692}};

    private static boolean numericallyEqual(String a, String b) {
        Optional<LatexExpression.Parsed> pa = LatexExpression.parse(a);
        Optional<LatexExpression.Parsed> pb = LatexExpression.parse(b);
        if (pa.isEmpty() || pb.isEmpty()) {
            return false;
        }
        Set<String> vars = new TreeSet<>(pa.get().variables());
        vars.addAll(pb.get().variables());
        if (vars.size() > 8) {
            return false;
        }
        for (int round = 0; round < POINTS.length; round++) {
            Map<String, Double> values = new HashMap<>();
            int i = 0;
            for (String v : vars) {
                values.put(v, POINTS[round][i % 3] + 0.37 * (i / 3));
                i++;
            }
            double x = pa.get().evaluate(values);
            double y = pb.get().evaluate(values);
            if (!close(x, y)) {
                return false;
            }
            if (vars.isEmpty()) {
                break;
            }
        }
        return true;
    }

    private static boolean close(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return false;
        }
        if (Double.isInfinite(x) || Double.isInfinite(y)) {
            return x == y;
        }
        return Math.abs(x - y) <= REL_TOL * Math.max(1.0, Math.max(Math.abs(x), Math.abs(y)));
    }

    /** {@code a \pm b} as the two values {@code a+b, a-b}; without a single {@code \pm}, the comma-separated parts. */
    private static List<String> plusMinus(String s) {
        int at = s.indexOf("\\pm");
        if (at >= 0 && s.indexOf("\\pm", at + 1) < 0 && !s.contains(",")) {
            return List.of(s.replace("\\pm", "+"), s.replace("\\pm", "-"));
        }
        return splitTop(s, ",");
    }

    /** Splits at a separator that is outside every (), [], {} and \left...\right pair. */
    static List<String> splitTop(String s, String sep) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '{' || s.charAt(i + 1) == '}')) {
                i++;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && s.startsWith(sep, i)) {
                out.add(s.substring(from, i));
                from = i + sep.length();
                i = from - 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    /** An answer wholly enclosed in one bracket pair, split at its top-level commas. */
    private record Bracketed(char open, char close, List<String> items) {
        static Bracketed of(String s) {
            if (s.length() < 2) {
                return null;
            }
            char o = s.charAt(0);
            char c = s.charAt(s.length() - 1);
            if ("([{".indexOf(o) < 0 || ")]}".indexOf(c) < 0) {
                return null;
            }
            // the opening bracket must close at the very end: "(1)(2)" is a product, not a tuple
            int depth = 0;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if ("([{".indexOf(ch) >= 0) {
                    depth++;
                } else if (")]}".indexOf(ch) >= 0) {
                    depth--;
                    if (depth == 0 && i < s.length() - 1) {
                        return null;
                    }
                }
            }
            List<String> items = splitTop(s.substring(1, s.length() - 1), ",");
            if (items.size() < 2 && o != '{') {
                return null; // "(3)" is a parenthesised number, "[0,1]" needs the comma to be an interval
            }
            return new Bracketed(o, c, items);
        }
    }
}
