package io.github.qalign.tokenizer;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One linear scan over a template before Jinjava sees it: size and nesting limits, tag syntax (every {@code {{},
 * {@code {%} and {@code {#} closed, string literals inside tags respected, {@code raw} blocks skipped), the reserved
 * identifier of Jinjava's interpreter, and the one rewrite Jinjava needs to follow Jinja's precedence
 * ({@code not x is test} means {@code not (x is test)}).
 *
 * <p>Every step looks at each character a bounded number of times, so the pass is O(n) in the template length (the
 * old regular-expression pass was quadratic on unclosed tags).
 */
final class TemplatePrepass {

    /** Jinjava exposes its interpreter (and through it the engine's configuration) under this name. */
    static final String JINJAVA_INTERPRETER = "____int3rpr3t3r____";

    private static final Set<String> BLOCK_OPENERS = Set.of("for", "if", "macro", "call", "filter", "block", "with",
            "autoescape", "unless", "ifchanged", "trans");

    /**
     * {@code not <operand> is [not] <test>} where the test takes no argument; every quantifier is bounded so one
     * match attempt costs O(1) and the rewrite stays linear.
     */
    private static final Pattern NOT_IS = Pattern.compile(
            "\\bnot\\s{1,16}([A-Za-z_][\\w.]{0,128}(?:\\[[^\\]\\[]{0,128}\\]){0,8})\\s{1,16}is\\s{1,16}"
                    + "(not\\s{1,16})?([A-Za-z_]\\w{0,64})\\b(?!\\s{0,16}\\()");

    private TemplatePrepass() {
    }

    /**
     * Checks a template and returns the source Jinjava renders.
     *
     * @param source the template
     * @param name   the template's name for messages
     * @param limits the limits
     * @return the template with Jinja's {@code not ... is} precedence made explicit
     * @throws ChatTemplateException if the template is too large, too deeply nested, has an unclosed tag or uses
     *                               Jinjava's reserved interpreter identifier
     */
    static String prepare(String source, String name, TemplateLimits limits) {
        int n = source.length();
        if (n > limits.maxTemplateChars()) {
            throw new ChatTemplateException(name, ChatTemplateException.Kind.LIMIT, "the template has " + n
                    + " characters, more than the " + limits.maxTemplateChars() + " accepted", null);
        }
        if (source.contains(JINJAVA_INTERPRETER)) {
            throw new ChatTemplateException(name, ChatTemplateException.Kind.INVALID, "the template uses the reserved "
                    + "identifier " + JINJAVA_INTERPRETER + " (the template engine's interpreter)", null);
        }
        StringBuilder out = new StringBuilder(n + 64);
        int depth = 0;
        int i = 0;
        while (i < n) {
            int open = nextOpen(source, i);
            if (open < 0) {
                out.append(source, i, n);
                break;
            }
            out.append(source, i, open);
            char kind = source.charAt(open + 1);
            if (kind == '#') {
                int close = source.indexOf("#}", open + 2);
                if (close < 0) {
                    throw unclosed(name, source, open, "{#");
                }
                out.append(source, open, close + 2);
                i = close + 2;
                continue;
            }
            char closer = kind == '{' ? '}' : '%';
            int close = findClose(source, open + 2, closer);
            if (close < 0) {
                throw unclosed(name, source, open, kind == '{' ? "{{" : "{%");
            }
            String body = source.substring(open + 2, close);
            int brackets = bracketDepth(body);
            if (brackets > limits.maxNestingDepth()) {
                throw tooDeep(name, source, open, brackets, limits);
            }
            if (kind == '%') {
                String word = firstWord(body);
                if (word.equals("raw")) {
                    int end = endOfRaw(source, close + 2);
                    if (end < 0) {
                        throw unclosed(name, source, open, "{% raw %}");
                    }
                    out.append(source, open, end);
                    i = end;
                    continue;
                }
                if (BLOCK_OPENERS.contains(word) || (word.equals("set") && !hasAssignment(body))) {
                    depth++;
                    if (depth > limits.maxNestingDepth()) {
                        throw tooDeep(name, source, open, depth, limits);
                    }
                } else if (word.startsWith("end") && depth > 0) {
                    depth--;
                }
            }
            out.append('{').append(kind).append(rewriteNotIs(body)).append(closer).append('}');
            i = close + 2;
        }
        return out.toString();
    }

    /** Index of the next "{{", "{%" or "{#" at or after {@code from}, or -1. */
    private static int nextOpen(String s, int from) {
        int i = s.indexOf('{', from);
        while (i >= 0 && i + 1 < s.length()) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = s.indexOf('{', i + 1);
        }
        return -1;
    }

    /**
     * Index of the closing "}}" or "%}" of a tag body starting at {@code from}, or -1. Like Jinja's lexer, string
     * literals are skipped and the closer only counts outside brackets ({@code {{ {'a': {'b': 1}} }}}).
     */
    private static int findClose(String s, int from, char closer) {
        int n = s.length();
        char quote = 0;
        int depth = 0;
        for (int j = from; j < n; j++) {
            char c = s.charAt(j);
            if (quote != 0) {
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (depth == 0 && c == closer && j + 1 < n && s.charAt(j + 1) == '}') {
                return j;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return -1;
    }

    /** End (exclusive) of the {@code {% endraw %}} tag after a raw block starting at {@code from}, or -1. */
    private static int endOfRaw(String s, int from) {
        int i = s.indexOf("{%", from);
        while (i >= 0) {
            int close = s.indexOf("%}", i + 2);
            if (close < 0) {
                return -1;
            }
            if (firstWord(s.substring(i + 2, close)).equals("endraw")) {
                return close + 2;
            }
            i = s.indexOf("{%", i + 2);
        }
        return -1;
    }

    private static String firstWord(String body) {
        int i = 0;
        int n = body.length();
        while (i < n && (body.charAt(i) == '-' || body.charAt(i) == '+' || Character.isWhitespace(body.charAt(i)))) {
            i++;
        }
        int start = i;
        while (i < n && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
            i++;
        }
        return body.substring(start, i);
    }

    /** Whether a {@code set} tag body assigns (has '=' outside quotes that is not part of '==' etc.). */
    private static boolean hasAssignment(String body) {
        char quote = 0;
        for (int j = 0; j < body.length(); j++) {
            char c = body.charAt(j);
            if (quote != 0) {
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '=') {
                return true;
            }
        }
        return false;
    }

    /** Deepest nesting of (), [] and {} outside string literals. */
    private static int bracketDepth(String body) {
        int depth = 0;
        int max = 0;
        char quote = 0;
        for (int j = 0; j < body.length(); j++) {
            char c = body.charAt(j);
            if (quote != 0) {
                if (c == '\\') {
                    j++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                max = Math.max(max, ++depth);
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return max;
    }

    /**
     * Rewrites {@code not x is test} to {@code not (x is test)} inside a tag body: in Jinja tests bind tighter than
     * {@code not}, in Jinjava they do not (so {@code not date_string is defined} would be true for a defined
     * variable). Only argument-less tests on simple variables/subscripts are rewritten.
     */
    static String rewriteNotIs(String body) {
        if (!body.contains("not")) {
            return body;
        }
        return NOT_IS.matcher(body).replaceAll(m -> Matcher.quoteReplacement(
                "not (" + m.group(1) + " is " + (m.group(2) == null ? "" : m.group(2)) + m.group(3) + ")"));
    }

    /**
     * Applies {@link #rewriteNotIs} to every tag of a template (for tests and callers that only need the rewrite).
     *
     * @param source a template
     * @return the rewritten template
     */
    static String jinjaPrecedence(String source) {
        return prepare(source, "<template>", TemplateLimits.defaults());
    }

    private static ChatTemplateException unclosed(String name, String source, int at, String what) {
        return new ChatTemplateException(name, ChatTemplateException.Kind.INVALID, "unclosed '" + what + "' at line "
                + line(source, at) + " (expected its closing delimiter)", null);
    }

    private static ChatTemplateException tooDeep(String name, String source, int at, int depth,
                                                 TemplateLimits limits) {
        return new ChatTemplateException(name, ChatTemplateException.Kind.LIMIT, "nesting depth " + depth
                + " at line " + line(source, at) + " exceeds the " + limits.maxNestingDepth() + " accepted", null);
    }

    private static int line(String s, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
