package io.github.qalign.eval.ifeval;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts sentences the way NLTK's pre-trained English Punkt tokenizer does for ordinary prose, which is what IFEval's
 * {@code length_constraints:number_sentences} counts with.
 *
 * <p>Punkt is a statistical model (a pickled table of abbreviations, collocations, sentence starters and per-word
 * capitalisation statistics learned from the Wall Street Journal); it cannot be loaded in Java. This class keeps
 * Punkt's decision procedure and replaces the learned tables with fixed lists:
 * <ul>
 *   <li>a candidate boundary is a run of non-space characters ending in {@code . ? !} that is followed by whitespace
 *       and another token, or by one of {@code ? ! ) " ; } ] * : @ ' ( { [} (Punkt's period context);</li>
 *   <li>{@code ?}, {@code !} and a lone {@code .} always end a sentence; a word ending in a period ends one too,
 *       except: a known abbreviation ({@code Dr.}, {@code e.g.}, {@code U.S.}, ...) or an ellipsis, which end one
 *       only before a capitalised common word; an initial ({@code J.}), which does not end one before a capitalised
 *       word that is not a common word; a number ({@code 1.}), which does not end one before a lower-case word or
 *       punctuation.</li>
 * </ul>
 * Where Punkt's learned statistics would decide differently (a rare abbreviation, a proper noun after an
 * abbreviation that the model happened to see as a sentence starter), the counts can differ by one.
 */
final class SentenceCounter {

    /**
     * Punkt's "period context": a token ending in . ? ! followed by punctuation or by whitespace and a token. A match
     * may only start where a token starts or where the previous match ended: a match starting inside a token exists
     * only if one starting at the token's start does, so this finds the same matches in linear instead of quadratic
     * time on long unbroken tokens.
     */
    private static final Pattern CANDIDATE =
            PyText.compile("(?:^|(?<=\\s)|\\G)\\S*[.?!](?=(?<after>[?!)\";}\\]*:@'({\\[])|\\s+(?<next>\\S+))", 0);
    /** Punkt's non-word characters: a word ends before one of them. */
    private static final String NON_WORD = ")\";}]*:@'({[!?";
    /** Characters that cannot start a Punkt word token (each becomes a one-character token). */
    private static final String NOT_WORD_START = "(\"`{[:;&#*@)}]-,";
    private static final Pattern NUMBER = PyText.compile("^-?[.,]?\\d[\\d,.-]*\\.?$", 0);

    /** Abbreviations (lower case, without the final period) as the English Punkt model knows them. */
    static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "co", "corp", "ltd", "vs", "no", "gen", "gov",
            "sen", "rep", "lt", "col", "capt", "sgt", "ft", "mt", "ave", "dept", "jan", "feb", "mar", "apr", "jun",
            "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e", "u.s", "u.k", "u.n", "a.m", "p.m", "n.y",
            "n.j", "d.c", "calif", "mass", "conn", "fla", "ariz", "mich", "minn", "tenn", "wash", "ill", "ind", "okla",
            "wis", "colo", "mo", "ky", "ala", "ga", "nev", "bros", "mfg", "etc", "cf", "al", "ph.d");

    /** Capitalised forms of these words count as sentence starters (Punkt's orthographic evidence). */
    private static final Set<String> COMMON = Set.of(
            "the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "you", "i",
            "his", "her", "their", "our", "my", "your", "there", "here", "but", "and", "or", "so", "yet", "if",
            "when", "while", "as", "in", "on", "at", "for", "with", "by", "from", "to", "of", "after", "before",
            "however", "also", "then", "thus", "therefore", "finally", "first", "second", "third", "next", "now",
            "some", "many", "most", "all", "each", "every", "no", "not", "one", "two", "what", "why", "how", "who",
            "which", "where", "do", "does", "did", "is", "are", "was", "were", "be", "can", "could", "will",
            "would", "should", "may", "might", "must", "let", "please", "yes", "overall", "instead", "although",
            "because", "since", "despite", "during", "other", "another", "both", "such", "more", "less", "just",
            "only", "even", "still", "again", "always", "never", "often", "sometimes", "today", "meanwhile");

    private enum Ortho { STARTER, NOT_STARTER, UNKNOWN }

    private SentenceCounter() {
    }

    /**
     * The number of sentences in {@code text}.
     *
     * @param text any text
     * @return the sentence count; 0 for empty or blank text
     */
    static int count(String text) {
        return count(text, CANDIDATE);
    }

    /** {@link #count(String)} with another candidate pattern (tests compare against Punkt's unanchored one). */
    static int count(String text, Pattern candidate) {
        int breaks = 0;
        int lastBreak = 0;
        Matcher m = candidate.matcher(text);
        while (m.find()) {
            String next = m.group("after") != null ? m.group("after") : firstToken(m.group("next"));
            if (endsSentence(m.group(), next)) {
                breaks++;
                lastBreak = m.group("next") != null ? m.start("next") : m.end();
            }
        }
        int end = text.length();
        while (end > 0 && PyText.isSpace(text.charAt(end - 1))) {
            end--; // Punkt's last slice ends at len(text.rstrip())
        }
        return breaks + (end > lastBreak ? 1 : 0);
    }

    private static boolean endsSentence(String word, String next) {
        char last = word.charAt(word.length() - 1);
        if (last == '?' || last == '!') {
            return true;
        }
        if (word.endsWith("..")) {
            return ortho(next) == Ortho.STARTER; // ellipsis
        }
        if (word.length() == 1 || NON_WORD.indexOf(word.charAt(word.length() - 2)) >= 0) {
            return true; // a lone "." token
        }
        String token = lastToken(word.substring(0, word.length() - 1));
        String type = PyText.lower(token);
        Ortho o = ortho(next);
        if (NUMBER.matcher(token + ".").matches()) {
            return o != Ortho.NOT_STARTER;
        }
        if (type.length() == 1 && Character.isLetter(type.charAt(0))) {
            if (o == Ortho.NOT_STARTER) {
                return false;
            }
            return !(o == Ortho.UNKNOWN && !next.isEmpty() && Character.isUpperCase(next.charAt(0)));
        }
        if (isAbbreviation(type)) {
            return o == Ortho.STARTER;
        }
        return true;
    }

    private static boolean isAbbreviation(String type) {
        if (ABBREVIATIONS.contains(type)) {
            return true;
        }
        int dash = type.lastIndexOf('-');
        return dash >= 0 && ABBREVIATIONS.contains(type.substring(dash + 1));
    }

    /** The Punkt word token that ends {@code s} (s has its final period removed). */
    private static String lastToken(String s) {
        int b = s.length();
        while (b > 0 && NON_WORD.indexOf(s.charAt(b - 1)) < 0) {
            b--;
        }
        while (b < s.length() && NOT_WORD_START.indexOf(s.charAt(b)) >= 0) {
            b++;
        }
        return s.substring(b);
    }

    /** The first Punkt word token of a whitespace-free string. */
    private static String firstToken(String s) {
        if (NOT_WORD_START.indexOf(s.charAt(0)) >= 0 || NON_WORD.indexOf(s.charAt(0)) >= 0) {
            return s.substring(0, 1);
        }
        int e = 1;
        while (e < s.length() && NON_WORD.indexOf(s.charAt(e)) < 0) {
            e++;
        }
        return s.substring(0, e);
    }

    private static Ortho ortho(String next) {
        if (next.isEmpty() || ";:,.!?".contains(next)) {
            return Ortho.NOT_STARTER;
        }
        char c = next.charAt(0);
        if (Character.isUpperCase(c)) {
            String w = PyText.lower(next);
            while (!w.isEmpty() && !Character.isLetter(w.charAt(w.length() - 1))) {
                w = w.substring(0, w.length() - 1);
            }
            return COMMON.contains(w) ? Ortho.STARTER : Ortho.UNKNOWN;
        }
        return Character.isLowerCase(c) ? Ortho.NOT_STARTER : Ortho.UNKNOWN;
    }
}
