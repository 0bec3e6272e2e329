package io.github.qalign.utility;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The Porter (1980) suffix-stripping stemmer, in the three variants of NLTK's {@code nltk.stem.porter.PorterStemmer}
 * (NLTK 3.8). Google's {@code rouge_score} stems with {@code PorterStemmer()}, i.e. {@link Mode#NLTK_EXTENSIONS},
 * which is therefore {@link #nltk() the default here}.
 *
 * <p>The variants differ only in a handful of rules (NLTK's documentation lists them):
 * <ul>
 *   <li>{@link Mode#ORIGINAL_ALGORITHM}: the published algorithm (M. F. Porter, "An algorithm for suffix
 *       stripping", Program 14(3), 1980), including {@code ABLI -> ABLE} in step 2 and stemming words of any
 *       length.</li>
 *   <li>{@link Mode#MARTIN_EXTENSIONS}: Martin Porter's own later versions (those on tartarus.org, and the one in
 *       Lucene's {@code PorterStemmer}): {@code BLI -> BLE} instead of {@code ABLI -> ABLE}, {@code LOGI -> LOG},
 *       words of at most 2 letters left alone.</li>
 *   <li>{@link Mode#NLTK_EXTENSIONS}: Martin's version plus: a table of irregular forms ({@code skies -> sky},
 *       {@code dying -> die}, {@code news -> news}, ...); {@code IES -> IE} and {@code IED -> IE} for 4-letter words,
 *       {@code IED -> I} otherwise; {@code Y -> I} only after a consonant that is not the first letter
 *       ({@code enjoy} stays, {@code happy -> happi}); {@code ALLI -> AL} applied first and then step 2 again;
 *       {@code FULLI -> FUL}; {@code LOGI -> LOG} measured on the stem before {@code L}; and the {@code *o}
 *       condition also true for a 2-letter vowel-consonant stem.</li>
 * </ul>
 * The tests compare all three modes with NLTK 3.8 on 3,670 words (test resource {@code rouge/porter.tsv}).
 *
 * <p>Input: a word is lower-cased ({@link Locale#ROOT}) first; letters other than {@code a e i o u} (and digits) count
 * as consonants, {@code y} as a vowel after a consonant, exactly as in NLTK. Instances are immutable and thread-safe.
 */
public final class PorterStemmer {

    /** The three variants of NLTK's {@code PorterStemmer} (see the class comment). */
    public enum Mode {
        /** NLTK's default, used by {@code rouge_score}. */
        NLTK_EXTENSIONS,
        /** Martin Porter's later, frozen version (tartarus.org, Lucene). */
        MARTIN_EXTENSIONS,
        /** The algorithm exactly as published in 1980. */
        ORIGINAL_ALGORITHM
    }

    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("news", "news"), Map.entry("innings", "inning"),
            Map.entry("inning", "inning"), Map.entry("outings", "outing"), Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"), Map.entry("canning", "canning"), Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"), Map.entry("succeed", "succeed"));

    private static final PorterStemmer NLTK = new PorterStemmer(Mode.NLTK_EXTENSIONS);

    private final Mode mode;

    private PorterStemmer(Mode mode) {
        this.mode = mode;
    }

    /**
     * The stemmer in NLTK's default mode, the one {@code rouge_score} uses.
     *
     * @return the shared instance
     */
    public static PorterStemmer nltk() {
        return NLTK;
    }

    /**
     * A stemmer in the given mode.
     *
     * @param mode the variant
     * @return the stemmer
     */
    public static PorterStemmer of(Mode mode) {
        return Objects.requireNonNull(mode, "mode") == Mode.NLTK_EXTENSIONS ? NLTK : new PorterStemmer(mode);
    }

    /**
     * The mode of this stemmer.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * Stems one word, as NLTK's {@code PorterStemmer.stem(word)} does (lower-casing first).
     *
     * @param word a word
     * @return its stem
     */
    public String stem(String word) {
        Objects.requireNonNull(word, "word");
        String w = word.toLowerCase(Locale.ROOT);
        if (mode == Mode.NLTK_EXTENSIONS && IRREGULAR.containsKey(word)) {
            return IRREGULAR.get(word);
        }
        if (mode != Mode.ORIGINAL_ALGORITHM && word.length() <= 2) {
            return w;
        }
        w = step1a(w);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = step3(w);
        w = step4(w);
        w = step5a(w);
        return step5b(w);
    }

    // ---- the word predicates of the paper --------------------------------------------------------------------

    private static boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(w, i - 1);
        }
        return true;
    }

    /** m: the number of vowel-consonant transitions, [C](VC)^m[V]. */
    private static int measure(String stem) {
        int m = 0;
        boolean prevVowel = false;
        for (int i = 0; i < stem.length(); i++) {
            boolean consonant = isConsonant(stem, i);
            if (consonant && prevVowel) {
                m++;
            }
            prevVowel = !consonant;
        }
        return m;
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y (NLTK also: a 2-letter vowel-consonant word). */
    private boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') {
                return true;
            }
        }
        return mode == Mode.NLTK_EXTENSIONS && n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }

    // ---- rule lists ------------------------------------------------------------------------------------------

    /** A suffix rule: the first rule whose suffix matches decides (applied or not, no further rules are tried). */
    private record Rule(String suffix, String replacement, Predicate<String> condition) {
    }

    private static String applyFirst(String w, Rule... rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix())) {
                String stem = w.substring(0, w.length() - r.suffix().length());
                return r.condition() == null || r.condition().test(stem) ? stem + r.replacement() : w;
            }
        }
        return w;
    }

    private String step1a(String w) {
        if (mode == Mode.NLTK_EXTENSIONS && w.endsWith("ies") && w.length() == 4) {
            return w.substring(0, 1) + "ie";
        }
        return applyFirst(w, new Rule("sses", "ss", null), new Rule("ies", "i", null), new Rule("ss", "ss", null),
                new Rule("s", "", null));
    }

    private String step1b(String w) {
        if (mode == Mode.NLTK_EXTENSIONS && w.endsWith("ied")) {
            return w.substring(0, w.length() - 3) + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String s = null;
        if (w.endsWith("ed") && containsVowel(w.substring(0, w.length() - 2))) {
            s = w.substring(0, w.length() - 2);
        } else if (w.endsWith("ing") && containsVowel(w.substring(0, w.length() - 3))) {
            s = w.substring(0, w.length() - 3);
        }
        if (s == null) {
            return w;
        }
        if (s.endsWith("at") || s.endsWith("bl") || s.endsWith("iz")) {
            return s + "e";
        }
        if (endsDoubleConsonant(s)) {
            char last = s.charAt(s.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? s : s.substring(0, s.length() - 1);
        }
        return measure(s) == 1 && endsCvc(s) ? s + "e" : s;
    }

    private String step1c(String w) {
        Predicate<String> condition = mode == Mode.NLTK_EXTENSIONS
                ? stem -> stem.length() > 1 && isConsonant(stem, stem.length() - 1)
                : PorterStemmer::containsVowel;
        return applyFirst(w, new Rule("y", "i", condition));
    }

    private String step2(String w) {
        if (mode == Mode.NLTK_EXTENSIONS && w.endsWith("alli") && positiveMeasure(w.substring(0, w.length() - 4))) {
            return step2(w.substring(0, w.length() - 4) + "al");
        }
        Predicate<String> m0 = PorterStemmer::positiveMeasure;
        Rule[] common = {
            new Rule("ational", "ate", m0), new Rule("tional", "tion", m0), new Rule("enci", "ence", m0),
            new Rule("anci", "ance", m0), new Rule("izer", "ize", m0),
            mode == Mode.ORIGINAL_ALGORITHM ? new Rule("abli", "able", m0) : new Rule("bli", "ble", m0),
            new Rule("alli", "al", m0), new Rule("entli", "ent", m0), new Rule("eli", "e", m0),
            new Rule("ousli", "ous", m0), new Rule("ization", "ize", m0), new Rule("ation", "ate", m0),
            new Rule("ator", "ate", m0), new Rule("alism", "al", m0), new Rule("iveness", "ive", m0),
            new Rule("fulness", "ful", m0), new Rule("ousness", "ous", m0), new Rule("aliti", "al", m0),
            new Rule("iviti", "ive", m0), new Rule("biliti", "ble", m0)};
        Rule[] rules = switch (mode) {
            case ORIGINAL_ALGORITHM -> common;
            case MARTIN_EXTENSIONS -> append(common, new Rule("logi", "log", m0));
            case NLTK_EXTENSIONS -> {
                // NLTK measures "logi" on the word without its last three letters (the stem plus "l")
                String beforeOgi = w.length() >= 3 ? w.substring(0, w.length() - 3) : "";
                yield append(append(common, new Rule("fulli", "ful", m0)),
                        new Rule("logi", "log", stem -> positiveMeasure(beforeOgi)));
            }
        };
        return applyFirst(w, rules);
    }

    private static Rule[] append(Rule[] rules, Rule extra) {
        Rule[] out = java.util.Arrays.copyOf(rules, rules.length + 1);
        out[rules.length] = extra;
        return out;
    }

    private static String step3(String w) {
        Predicate<String> m0 = PorterStemmer::positiveMeasure;
        return applyFirst(w, new Rule("icate", "ic", m0), new Rule("ative", "", m0), new Rule("alize", "al", m0),
                new Rule("iciti", "ic", m0), new Rule("ical", "ic", m0), new Rule("ful", "", m0),
                new Rule("ness", "", m0));
    }

    private static String step4(String w) {
        Predicate<String> m1 = stem -> measure(stem) > 1;
        Predicate<String> ion = stem -> measure(stem) > 1
                && (stem.endsWith("s") || stem.endsWith("t"));
        return applyFirst(w, new Rule("al", "", m1), new Rule("ance", "", m1), new Rule("ence", "", m1),
                new Rule("er", "", m1), new Rule("ic", "", m1), new Rule("able", "", m1), new Rule("ible", "", m1),
                new Rule("ant", "", m1), new Rule("ement", "", m1), new Rule("ment", "", m1),
                new Rule("ent", "", m1), new Rule("ion", "", ion), new Rule("ou", "", m1), new Rule("ism", "", m1),
                new Rule("ate", "", m1), new Rule("iti", "", m1), new Rule("ous", "", m1), new Rule("ive", "", m1),
                new Rule("ize", "", m1));
    }

    private String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        if (w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }

    @Override
    public String toString() {
        return "PorterStemmer[" + mode + "]";
    }
}
