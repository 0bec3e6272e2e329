package io.github.qalign.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.filter.FormatFilter;
import com.hubspot.jinjava.lib.filter.IndentFilter;

import java.util.Map;

/**
 * Filters replaced for chat templates: {@code trim} with Python's whitespace (Jinja2's {@code trim} is
 * {@code str.strip}), and the filters that take a width ({@code center}, {@code indent}, {@code format}) checked
 * against the string-length limit before they allocate anything.
 */
final class PyishFilters {

    private PyishFilters() {
    }

    private static ChatTemplate.RenderBudget.Exceeded tooLong(String filter, long chars, long max) {
        return new ChatTemplate.RenderBudget.Exceeded(false, "filter '" + filter + "' would build a string of "
                + chars + " characters, more than the " + max + " allowed");
    }

    /** Jinja2's {@code trim(value, chars=None)}: {@code str(value).strip(chars)}. */
    static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return null;
            }
            String chars = args != null && args.length > 0 ? args[0] : null;
            return PyStringMethods.strip(var.toString(), chars, true, true);
        }
    }

    /** Jinja2's {@code center(value, width=80)}: Python's {@code str.center}, bounded. */
    static final class Center implements Filter {
        private final long max;

        Center(long max) {
            this.max = max;
        }

        @Override
        public String getName() {
            return "center";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            if (var == null) {
                return null;
            }
            String s = var.toString();
            long width = 80;
            if (args != null && args.length > 0 && args[0] != null) {
                try {
                    width = (long) Double.parseDouble(args[0].trim());
                } catch (NumberFormatException e) {
                    width = 80;
                }
            }
            if (width > max) {
                throw tooLong("center", width, max);
            }
            int w = (int) width;
            if (w <= s.length()) {
                return s;
            }
            int pad = w - s.length();
            int left = pad / 2 + (pad & w & 1);
            return " ".repeat(left) + s + " ".repeat(pad - left);
        }
    }

    /** Jinjava's {@code indent}, refused when its output would exceed the string limit. */
    static final class Indent extends IndentFilter {
        private final long max;

        Indent(long max) {
            this.max = max;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Map<String, Object> parsedArgs) {
            Object w = parsedArgs.get(WIDTH_PARAM);
            long width = w instanceof Number n ? n.longValue() : 4;
            if (var != null) {
                String s = var.toString();
                long lines = s.chars().filter(c -> c == '\n').count() + 1;
                long chars = s.length() + Math.max(0, width) * lines;
                if (chars > max) {
                    throw tooLong("indent", chars, max);
                }
            }
            return super.filter(var, interpreter, parsedArgs);
        }
    }

    /** Jinjava's {@code format}, refused when a width or precision in the format string exceeds the string limit. */
    static final class Format extends FormatFilter {
        private final long max;

        Format(long max) {
            this.max = max;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var != null) {
                String f = var.toString();
                long number = 0;
                for (int i = 0; i <= f.length(); i++) {
                    char c = i < f.length() ? f.charAt(i) : ' ';
                    if (c >= '0' && c <= '9') {
                        number = Math.min(Long.MAX_VALUE / 20, number * 10 + (c - '0'));
                    } else {
                        if (number > max) {
                            throw tooLong("format", number, max);
                        }
                        number = 0;
                    }
                }
            }
            return super.filter(var, interpreter, args, kwargs);
        }
    }
}
