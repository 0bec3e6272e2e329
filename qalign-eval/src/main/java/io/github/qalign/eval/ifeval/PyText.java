package io.github.qalign.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python string and {@code re} semantics the reference checker relies on, written for Java.
 *
 * <p>Python 3 {@code re} on {@code str} is Unicode-aware ({@code \w \d \s \b}) and treats only {@code \n} as a line
 * terminator for {@code . ^ $}; {@link #FLAGS} gives Java patterns the same behaviour. {@code str.split(sep)} keeps
 * every piece, trailing empty ones included, unlike {@link String#split(String)}.
 */
final class PyText {

    /** Unicode classes and case folding, only {@code \n} ends a line: Python 3 {@code re} on {@code str}. */
    static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES;

    private PyText() {
    }

    /** Python {@code re.compile(regex, flags)} with {@link #FLAGS} added. */
    static Pattern compile(String regex, int extraFlags) {
        return Pattern.compile(regex, FLAGS | extraFlags);
    }

    /** Python {@code str.isspace()} for one character. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python {@code str.strip()}. */
    static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isSpace(s.charAt(b))) {
            b++;
        }
        while (e > b && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(b, e);
    }

    /** Python {@code str.strip(chars)}. */
    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    /** Python {@code str.lstrip(chars)}. */
    static String lstrip(String s, String chars) {
        int b = 0;
        while (b < s.length() && chars.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        return s.substring(b);
    }

    /** Python {@code str.rstrip(chars)}. */
    static String rstrip(String s, String chars) {
        int e = s.length();
        while (e > 0 && chars.indexOf(s.charAt(e - 1)) >= 0) {
            e--;
        }
        return s.substring(0, e);
    }

    /** Python {@code str.split(sep)}: every piece, empty ones included. */
    static List<String> split(String s, String sep) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python {@code str.split()} (no argument): runs of whitespace separate, no empty pieces. */
    static List<String> splitWhitespace(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            int b = i;
            while (i < s.length() && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > b) {
                out.add(s.substring(b, i));
            }
        }
        return out;
    }

    /** Python {@code re.split(pattern, s)} for a pattern without groups that never matches the empty string. */
    static List<String> reSplit(Pattern pattern, String s) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(s);
        int from = 0;
        while (m.find()) {
            out.add(s.substring(from, m.start()));
            from = m.end();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python {@code len(re.findall(pattern, s))}. */
    static int countMatches(Pattern pattern, String s) {
        Matcher m = pattern.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Python {@code str.isupper()}: at least one cased character and none of them lower or title case. */
    static boolean isUpper(String s) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLowerCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            cased |= Character.isUpperCase(cp);
        }
        return cased;
    }

    /** Python {@code str.islower()}: at least one cased character and none of them upper or title case. */
    static boolean isLower(String s) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            cased |= Character.isLowerCase(cp);
        }
        return cased;
    }

    /** Python {@code str.lower()} (locale-independent full lower-casing). */
    static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }
}
