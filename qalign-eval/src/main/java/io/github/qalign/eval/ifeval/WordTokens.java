package io.github.qalign.eval.ifeval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word tokens as NLTK's {@code word_tokenize} splits them, as far as it matters for counting all-capital words
 * ({@code change_case:capital_word_frequency}).
 *
 * <p>A token's case only changes when a split separates an upper-case part from a lower-case or uncased one, so
 * this tokenizer implements NLTK's splitting points and not its token rewriting (quotes become {@code `` ''} in
 * NLTK; a period is kept on the word here, which does not change whether the word is all capitals):
 * <ul>
 *   <li>split around brackets {@code ( ) [ ] { } < >}, {@code ; @ # $ % & ? ! *}, double quotes, typographic quotes
 *       {@code « » “ ” ‘ ’ „}, backticks, {@code --} and the dashes U+2012..U+2015, and runs of two or more
 *       periods;</li>
 *   <li>split around a comma or colon unless a digit follows ({@code 1,000} and {@code 10:30} stay whole);</li>
 *   <li>split off the clitics {@code 's 'm 'd 'll 're 've n't} (any case) and an opening apostrophe; split
 *       {@code cannot gimme gonna gotta lemme wanna} into their two words.</li>
 * </ul>
 */
final class WordTokens {

    private static final Pattern PAD = PyText.compile(
            "[\\[\\](){}<>;@#$%&?!*\"«»“”‘’„`]|--|\\.{2,}|[\\u2012-\\u2015]|[:,](?!\\d)", 0);
    private static final Pattern CLITIC = PyText.compile(
            "(?i)^(.*[^'])('s|'m|'d|'ll|'re|'ve|n't|')$", 0);
    private static final Pattern TWO_WORDS = PyText.compile(
            "(?i)^(can)(not)$|^(gim)(me)$|^(gon)(na)$|^(got)(ta)$|^(lem)(me)$|^(wan)(na)$", 0);

    private WordTokens() {
    }

    /**
     * The tokens of {@code text}.
     *
     * @param text any text
     * @return the tokens, in order
     */
    static List<String> tokenize(String text) {
        String padded = PAD.matcher(text).replaceAll(" $0 ");
        List<String> out = new ArrayList<>();
        for (String chunk : PyText.splitWhitespace(padded)) {
            if (chunk.length() > 1 && chunk.charAt(0) == '\'' && Character.isLetterOrDigit(chunk.charAt(1))
                    && !startsWithClitic(chunk)) {
                out.add("'");
                chunk = chunk.substring(1);
            }
            Matcher c = CLITIC.matcher(chunk);
            if (c.matches()) {
                addWord(out, c.group(1));
                out.add(c.group(2));
            } else {
                addWord(out, chunk);
            }
        }
        return out;
    }

    private static boolean startsWithClitic(String chunk) {
        String l = PyText.lower(chunk);
        for (String c : new String[] {"'re", "'ve", "'ll", "'m", "'t", "'s", "'d", "'n"}) {
            if (l.startsWith(c) && (l.length() == c.length() || !Character.isLetterOrDigit(l.charAt(c.length())))) {
                return true;
            }
        }
        return false;
    }

    private static void addWord(List<String> out, String w) {
        Matcher m = TWO_WORDS.matcher(w);
        if (m.matches()) {
            for (int g = 1; g <= m.groupCount(); g += 2) {
                if (m.group(g) != null) {
                    out.add(m.group(g));
                    out.add(m.group(g + 1));
                    return;
                }
            }
        }
        out.add(w);
    }
}
