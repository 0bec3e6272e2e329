package io.github.qalign.tokenizer;

import com.hubspot.jinjava.objects.SafeString;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import jinjava.javax.el.MethodNotFoundException;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Method calls on strings inside a template ({@code message['content'].strip()}, {@code content.split('</think>')})
 * with Python's semantics, as Jinja2 evaluates them: only the listed {@code str} methods exist; Java's own
 * {@code String} methods ({@code repeat}, {@code getBytes}, ...) are not reachable from a template.
 *
 * <p>Whitespace is Python's {@code str.isspace()} (which, unlike Java's {@code Character.isWhitespace}, includes
 * no-break spaces); {@code split(sep)} splits on the literal separator and keeps empty parts.
 */
final class PyStringMethods extends ELResolver {

    private final long maxStringLength;

    PyStringMethods(long maxStringLength) {
        this.maxStringLength = maxStringLength;
    }

    /** Python's {@code str.isspace()} for one UTF-16 unit (every whitespace code point is in the BMP). */
    static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code str.strip(chars)}. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && stripped(s.charAt(start), chars)) {
                start++;
            }
        }
        if (right) {
            while (end > start && stripped(s.charAt(end - 1), chars)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(char c, String chars) {
        return chars == null ? isPySpace(c) : chars.indexOf(c) >= 0;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String) && !(base instanceof SafeString)) {
            return null;
        }
        String s = base.toString();
        String name = String.valueOf(method);
        Object[] p = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "strip" -> strip(s, optString(p, 0, name), true, true);
            case "lstrip" -> strip(s, optString(p, 0, name), true, false);
            case "rstrip" -> strip(s, optString(p, 0, name), false, true);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "startswith" -> affix(s, arg(p, 0, name), true);
            case "endswith" -> affix(s, arg(p, 0, name), false);
            case "split" -> split(s, optString(p, 0, name), p.length > 1 ? toInt(p[1], name) : -1);
            case "replace" -> replace(s, string(p, 0, name), string(p, 1, name),
                    p.length > 2 ? toInt(p[2], name) : -1, maxStringLength);
            case "find" -> (long) s.indexOf(string(p, 0, name));
            case "rfind" -> (long) s.lastIndexOf(string(p, 0, name));
            case "count" -> count(s, string(p, 0, name));
            case "join" -> join(s, arg(p, 0, name));
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(c -> isPySpace((char) c));
            case "islower" -> s.chars().anyMatch(Character::isLowerCase) && s.equals(s.toLowerCase(Locale.ROOT));
            case "isupper" -> s.chars().anyMatch(Character::isUpperCase) && s.equals(s.toUpperCase(Locale.ROOT));
            default -> throw new MethodNotFoundException("str has no method '" + name
                    + "' that chat templates may call");
        };
        if (result instanceof String r && r.length() > maxStringLength) {
            throw new MethodNotFoundException("str." + name + " would build a string of " + r.length()
                    + " characters, more than the " + maxStringLength + " allowed");
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static Object arg(Object[] p, int i, String name) {
        if (i >= p.length) {
            throw new MethodNotFoundException("str." + name + " needs an argument");
        }
        return p[i];
    }

    private static String string(Object[] p, int i, String name) {
        Object a = arg(p, i, name);
        if (!(a instanceof String) && !(a instanceof SafeString)) {
            throw new MethodNotFoundException("str." + name + " expects a string argument, got "
                    + (a == null ? "None" : a.getClass().getSimpleName()));
        }
        return a.toString();
    }

    private static String optString(Object[] p, int i, String name) {
        return i < p.length && p[i] != null ? string(p, i, name) : null;
    }

    private static int toInt(Object o, String name) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        throw new MethodNotFoundException("str." + name + " expects an integer argument");
    }

    private static boolean affix(String s, Object arg, boolean prefix) {
        if (arg instanceof Collection<?> options) {
            for (Object o : options) {
                if (o != null && (prefix ? s.startsWith(o.toString()) : s.endsWith(o.toString()))) {
                    return true;
                }
            }
            return false;
        }
        if (arg == null) {
            throw new MethodNotFoundException("startswith/endswith expects a string or a list of strings");
        }
        return prefix ? s.startsWith(arg.toString()) : s.endsWith(arg.toString());
    }

    /** Python's {@code str.split(sep, maxsplit)}. */
    static List<Object> split(String s, String sep, int maxsplit) {
        List<Object> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isPySpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxsplit >= 0 && parts.size() == maxsplit) {
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int j = i;
                while (j < n && !isPySpace(s.charAt(j))) {
                    j++;
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new MethodNotFoundException("str.split: empty separator");
        }
        int from = 0;
        while (maxsplit < 0 || parts.size() < maxsplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String replace(String s, String old, String rep, int count, long maxLength) {
        long occurrences = count(s, old);
        if (count >= 0) {
            occurrences = Math.min(occurrences, count);
        }
        long length = s.length() + occurrences * (rep.length() - (long) old.length());
        if (length > maxLength) {
            throw new MethodNotFoundException("str.replace would build a string of " + length
                    + " characters, more than the " + maxLength + " allowed");
        }
        if (count < 0) {
            return s.replace(old, rep);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int done = 0;
        while (done < count) {
            int at = old.isEmpty() ? (from <= s.length() ? from : -1) : s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(rep);
            if (old.isEmpty()) {
                if (at < s.length()) {
                    sb.append(s.charAt(at));
                }
                from = at + 1;
            } else {
                from = at + old.length();
            }
            done++;
        }
        if (from <= s.length()) {
            sb.append(s, Math.min(from, s.length()), s.length());
        }
        return sb.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long c = 0;
        int from = 0;
        int at;
        while ((at = s.indexOf(sub, from)) >= 0) {
            c++;
            from = at + sub.length();
        }
        return c;
    }

    private String join(String sep, Object items) {
        if (!(items instanceof Collection<?> c)) {
            throw new MethodNotFoundException("str.join expects a list");
        }
        StringBuilder sb = new StringBuilder();
        Iterator<?> it = c.iterator();
        while (it.hasNext()) {
            Object o = it.next();
            if (!(o instanceof String) && !(o instanceof SafeString)) {
                throw new MethodNotFoundException("str.join expects a list of strings");
            }
            sb.append(o);
            if (it.hasNext()) {
                sb.append(sep);
            }
            if (sb.length() > maxStringLength) {
                throw new MethodNotFoundException("str.join would build a string longer than the "
                        + maxStringLength + " characters allowed");
            }
        }
        return sb.toString();
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // strings are immutable: never resolved here
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
