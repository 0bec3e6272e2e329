package io.github.qalign.eval.math;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small evaluator for the arithmetic subset of LaTeX that MATH answers use, for comparing answers numerically.
 *
 * <p>Grammar (after {@link io.github.qalign.answer.MathAnswerExtractor#normalize(String)}): numbers ({@code 3},
 * {@code 0.25}, {@code .5}); variables (single letters, Greek-letter commands other than {@code \pi}); constants
 * {@code \pi}, {@code \infty}; {@code + - \pm}-free sums; products by {@code *}, {@code \cdot}, {@code \times},
 * juxtaposition ({@code 2\sqrt{3}}, {@code 3x}, {@code 2(x+1)}); quotients by {@code /}, {@code \div},
 * {@code \frac{a}{b}} (also {@code \frac12}); powers {@code a^b}, {@code a^{b}}; {@code \sqrt{x}}, {@code \sqrt[n]{x}};
 * parentheses, brackets and braces as grouping; {@code |x|}; {@code \sin \cos \tan \ln \log \exp}; a factorial
 * {@code n!}. Anything else (text, {@code =}, subscripts, sets) makes {@link #parse} return empty.
 *
 * <p>An expression is a tree of doubles; {@link #evaluate(Map)} assigns values to its variables.
 */
final class LatexExpression {

    /** A parsed expression. */
    interface Node {
        double eval(Map<String, Double> vars);
    }

    private final String s;
    private int pos;
    private final Set<String> variables = new TreeSet<>();

    private LatexExpression(String s) {
        this.s = s;
    }

    /** The parse result: the expression tree and the variables it mentions. */
    record Parsed(Node root, Set<String> variables) {
        double evaluate(Map<String, Double> values) {
            return root.eval(values);
        }
    }

    /**
     * Parses a normalised LaTeX answer.
     *
     * @param latex the answer with whitespace removed
     * @return the expression, or empty if it is not in the supported subset
     */
    static Optional<Parsed> parse(String latex) {
        if (latex.isEmpty() || latex.length() > 500) {
            return Optional.empty();
        }
        LatexExpression p = new LatexExpression(latex);
        try {
            Node n = p.sum();
            if (p.pos != p.s.length()) {
                return Optional.empty();
            }
            return Optional.of(new Parsed(n, Set.copyOf(p.variables)));
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private boolean eat(String token) {
        if (s.startsWith(token, pos)) {
            if (token.startsWith("\\") && Character.isLetter(token.charAt(token.length() - 1))
                    && pos + token.length() < s.length() && Character.isLetter(s.charAt(pos + token.length()))) {
                return false; // \pi must not match \pix
            }
            pos += token.length();
            return true;
        }
        return false;
    }

    private boolean atEnd() {
        return pos >= s.length();
    }

    private IllegalArgumentException error() {
        return new IllegalArgumentException("unsupported LaTeX at " + pos + " in " + s);
    }

    private Node sum() {
        Node left = product();
        while (true) {
            if (eat("+")) {
                Node l = left;
                Node r = product();
                left = v -> l.eval(v) + r.eval(v);
            } else if (eat("-")) {
                Node l = left;
                Node r = product();
                left = v -> l.eval(v) - r.eval(v);
            } else {
                return left;
            }
        }
    }

    private Node product() {
        Node left = unary();
        while (true) {
            if (eat("*") || eat("\\cdot") || eat("\\times")) {
                Node l = left;
                Node r = unary();
                left = v -> l.eval(v) * r.eval(v);
            } else if (eat("/") || eat("\\div")) {
                Node l = left;
                Node r = unary();
                left = v -> divide(l.eval(v), r.eval(v));
            } else if (!atEnd() && startsPrimary()) {
                Node l = left;
                Node r = power();
                left = v -> l.eval(v) * r.eval(v); // juxtaposition
            } else {
                return left;
            }
        }
    }

    private boolean startsPrimary() {
        char c = s.charAt(pos);
        if (Character.isLetterOrDigit(c) || c == '(' || c == '{' || c == '.') {
            return true;
        }
        if (c == '[') {
            return true;
        }
        return c == '\\' && !s.startsWith("\\cdot", pos) && !s.startsWith("\\times", pos)
                && !s.startsWith("\\div", pos);
    }

    private Node unary() {
        if (eat("-")) {
            Node n = unary();
            return v -> -n.eval(v);
        }
        if (eat("+")) {
            return unary();
        }
        return power();
    }

    private Node power() {
        Node base = postfix(primary());
        if (eat("^")) {
            Node exp = argument(true);
            Node b = base;
            return v -> Math.pow(b.eval(v), exp.eval(v));
        }
        return base;
    }

    private Node postfix(Node n) {
        if (!atEnd() && s.charAt(pos) == '!' && !s.startsWith("!=", pos)) {
            pos++;
            return v -> factorial(n.eval(v));
        }
        return n;
    }

    /** Division where a zero denominator is no number (so 1/0 never equals 2/0). */
    private static double divide(double a, double b) {
        return b == 0 ? Double.NaN : a / b;
    }

    private static double factorial(double x) {
        if (x < 0 || x != Math.rint(x) || x > 170) {
            return Double.NaN;
        }
        double f = 1;
        for (int i = 2; i <= (int) x; i++) {
            f *= i;
        }
        return f;
    }

    /** A command or group argument: {@code {expr}}, or one digit / letter / command (as in {@code \frac12}). */
    private Node argument(boolean allowSigned) {
        if (eat("{")) {
            Node n = sum();
            if (!eat("}")) {
                throw error();
            }
            return n;
        }
        if (atEnd()) {
            throw error();
        }
        char c = s.charAt(pos);
        if (Character.isDigit(c)) {
            pos++;
            return v -> c - '0';
        }
        if (allowSigned && c == '-') {
            pos++;
            Node n = argument(false);
            return v -> -n.eval(v);
        }
        return primary();
    }

    private Node primary() {
        if (atEnd()) {
            throw error();
        }
        char c = s.charAt(pos);
        if (Character.isDigit(c) || (c == '.' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)))) {
            int b = pos;
            while (!atEnd() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (!atEnd() && s.charAt(pos) == '.' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1))) {
                pos++;
                while (!atEnd() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
            }
            String literal = s.substring(b, pos);
            double d = Double.parseDouble(literal);
            if (literal.chars().allMatch(Character::isDigit)) {
                Optional<Double> fraction = mixedFraction();
                if (fraction.isPresent()) {
                    double mixed = d + fraction.get();
                    return v -> mixed; // 1\frac{4}{5} is the mixed number 9/5, as MATH writes it
                }
            }
            return v -> d;
        }
        for (String[] group : new String[][] {{"(", ")"}, {"[", "]"}, {"{", "}"}, {"|", "|"}}) {
            if (eat(group[0])) {
                Node n = sum();
                if (!eat(group[1])) {
                    throw error();
                }
                return group[0].equals("|") ? v -> Math.abs(n.eval(v)) : n;
            }
        }
        if (Character.isLetter(c)) {
            pos++;
            String name = String.valueOf(c);
            variables.add(name);
            return v -> v.getOrDefault(name, Double.NaN);
        }
        if (c == '\\') {
            return command();
        }
        throw error();
    }

    /** After an integer literal: a {@code \frac} of two integer literals, read as the fractional part. */
    private Optional<Double> mixedFraction() {
        int start = pos;
        if (!eat("\\frac")) {
            return Optional.empty();
        }
        String num = integerArgument();
        String den = num == null ? null : integerArgument();
        if (den == null || Double.parseDouble(den) == 0) {
            pos = start;
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(num) / Double.parseDouble(den));
    }

    private String integerArgument() {
        if (!atEnd() && Character.isDigit(s.charAt(pos))) {
            return String.valueOf(s.charAt(pos++));
        }
        int close = s.indexOf('}', pos);
        if (eat("{") && close > pos && s.substring(pos, close).chars().allMatch(Character::isDigit)) {
            String digits = s.substring(pos, close);
            pos = close + 1;
            return digits;
        }
        return null;
    }

    private static final Set<String> GREEK = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon",
            "zeta", "eta", "theta", "vartheta", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi",
            "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega");

    private Node command() {
        if (eat("\\frac")) {
            Node num = argument(false);
            Node den = argument(false);
            return v -> divide(num.eval(v), den.eval(v));
        }
        if (eat("\\sqrt")) {
            Node index = null;
            if (eat("[")) {
                index = sum();
                if (!eat("]")) {
                    throw error();
                }
            }
            Node radicand = argument(false);
            Node idx = index;
            return idx == null ? v -> Math.sqrt(radicand.eval(v)) : v -> root(radicand.eval(v), idx.eval(v));
        }
        if (eat("\\pi")) {
            return v -> Math.PI;
        }
        if (eat("\\infty") || eat("\\infinity")) {
            return v -> Double.POSITIVE_INFINITY;
        }
        for (String f : new String[] {"\\sin", "\\cos", "\\tan", "\\ln", "\\log", "\\exp"}) {
            if (eat(f)) {
                Node exponent = null;
                if (eat("^")) {
                    exponent = argument(true);
                }
                Node arg = power();
                Node e = exponent;
                return v -> {
                    double x = arg.eval(v);
                    double y = switch (f) {
                        case "\\sin" -> Math.sin(x);
                        case "\\cos" -> Math.cos(x);
                        case "\\tan" -> Math.tan(x);
                        case "\\ln" -> Math.log(x);
                        case "\\log" -> Math.log10(x);
                        default -> Math.exp(x);
                    };
                    return e == null ? y : Math.pow(y, e.eval(v));
                };
            }
        }
        int b = pos + 1;
        int e = b;
        while (e < s.length() && Character.isLetter(s.charAt(e))) {
            e++;
        }
        String name = s.substring(b, e);
        if (GREEK.contains(name)) {
            pos = e;
            variables.add(name);
            return v -> v.getOrDefault(name, Double.NaN);
        }
        throw error();
    }

    private static double root(double x, double n) {
        if (x < 0 && n == Math.rint(n) && ((long) n) % 2 == 1) {
            return -Math.pow(-x, 1 / n);
        }
        return Math.pow(x, 1 / n);
    }
}
