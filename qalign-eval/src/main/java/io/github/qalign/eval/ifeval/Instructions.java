package io.github.qalign.eval.ifeval;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The 25 IFEval instruction types and their checkers, with the semantics of Google's reference implementation
 * ({@code instruction_following_eval/instructions.py}; see {@code docs/ifeval.md} for where this implementation
 * can differ from it).
 *
 * <p>{@link #create(String, Map)} binds an instruction id to its arguments, as IFEval's {@code input_data.jsonl}
 * gives them ({@code "kwargs"}). The four checkers the reference implements but does not register
 * ({@code multi-turn:constrained_start}, {@code detectable_format:rephrase}, {@code keywords:key_sentences},
 * {@code detectable_content:rephrase_paragraph}) are available too, outside {@link #ids()}.
 */
public final class Instructions {

    private static final int CI = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Map<String, Function<Args, Instruction>> REGISTERED = new HashMap<>();
    private static final Map<String, Function<Args, Instruction>> EXTRA = new HashMap<>();

    static {
        REGISTERED.put("keywords:existence", a -> new KeywordsExist(a.id, a.stringList("keywords")));
        REGISTERED.put("keywords:frequency", a -> new KeywordFrequency(a.id, a.string("keyword").strip(),
                a.nonNegative("frequency"), a.relation("relation")));
        REGISTERED.put("keywords:forbidden_words", a -> new ForbiddenWords(a.id, a.stringList("forbidden_words")));
        REGISTERED.put("keywords:letter_frequency", a -> new LetterFrequency(a.id, a.letter("letter"),
                a.nonNegative("let_frequency"), a.relation("let_relation")));
        REGISTERED.put("language:response_language", a -> new ResponseLanguage(a.id, a.string("language")));
        REGISTERED.put("length_constraints:number_sentences", a -> new CountAtMostOrLeast(a.id,
                SentenceCounter::count, a.nonNegative("num_sentences"), a.relation("relation")));
        REGISTERED.put("length_constraints:number_paragraphs", a -> new Paragraphs(a.id,
                a.nonNegative("num_paragraphs")));
        REGISTERED.put("length_constraints:number_words", a -> new CountAtMostOrLeast(a.id,
                Instructions::countWords, a.nonNegative("num_words"), a.relation("relation")));
        REGISTERED.put("length_constraints:nth_paragraph_first_word", a -> new NthParagraphFirstWord(a.id,
                a.nonNegative("num_paragraphs"), a.nonNegative("nth_paragraph"),
                PyText.lower(a.string("first_word"))));
        REGISTERED.put("detectable_content:number_placeholders", a -> new Placeholders(a.id,
                a.nonNegative("num_placeholders")));
        REGISTERED.put("detectable_content:postscript", a -> new Postscript(a.id,
                a.string("postscript_marker").strip()));
        REGISTERED.put("detectable_format:number_bullet_lists", a -> new BulletLists(a.id,
                a.nonNegative("num_bullets")));
        REGISTERED.put("detectable_format:constrained_response", a -> new ConstrainedResponse(a.id));
        REGISTERED.put("detectable_format:number_highlighted_sections", a -> new Highlights(a.id,
                a.nonNegative("num_highlights")));
        REGISTERED.put("detectable_format:multiple_sections", a -> new Sections(a.id,
                a.string("section_spliter").strip(), a.nonNegative("num_sections")));
        REGISTERED.put("detectable_format:json_format", a -> new JsonFormat(a.id));
        REGISTERED.put("detectable_format:title", a -> new Title(a.id));
        REGISTERED.put("combination:two_responses", a -> new TwoResponses(a.id));
        REGISTERED.put("combination:repeat_prompt", a -> new RepeatPrompt(a.id, a.string("prompt_to_repeat")));
        REGISTERED.put("startend:end_checker", a -> new EndPhrase(a.id, a.string("end_phrase").strip()));
        REGISTERED.put("change_case:capital_word_frequency", a -> new CapitalWords(a.id,
                a.nonNegative("capital_frequency"), a.relation("capital_relation")));
        REGISTERED.put("change_case:english_capital", a -> new EnglishCase(a.id, true));
        REGISTERED.put("change_case:english_lowercase", a -> new EnglishCase(a.id, false));
        REGISTERED.put("punctuation:no_comma", a -> new NoComma(a.id));
        REGISTERED.put("startend:quotation", a -> new Quotation(a.id));

        EXTRA.put("multi-turn:constrained_start", a -> new ConstrainedStart(a.id, a.string("starter").strip()));
        EXTRA.put("detectable_format:rephrase", a -> Rephrase.of(a.id, a.string("original_message")));
        EXTRA.put("keywords:key_sentences", a -> new KeySentences(a.id, a.stringList("key_sentences"),
                a.nonNegative("num_sentences")));
        EXTRA.put("detectable_content:rephrase_paragraph", a -> new RephraseParagraph(a.id,
                a.string("original_paragraph"), a.nonNegative("low"), a.nonNegative("high")));
    }

    private Instructions() {
    }

    /**
     * The 25 instruction ids IFEval registers, sorted.
     *
     * @return the ids
     */
    public static Set<String> ids() {
        return new TreeSet<>(REGISTERED.keySet());
    }

    /**
     * An instruction bound to its arguments.
     *
     * @param id     an instruction id from {@link #ids()} (or one of the four unregistered ones named in the class
     *               comment)
     * @param kwargs its arguments as IFEval's {@code kwargs} give them (JSON numbers, strings, lists of strings);
     *               unused keys and null values are ignored, as the reference ignores keyword arguments that are None
     * @return the instruction
     * @throws IllegalArgumentException naming the id and argument, if the id is unknown or a required argument is
     *                                  missing or malformed
     */
    public static Instruction create(String id, Map<String, ?> kwargs) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kwargs, "kwargs");
        Function<Args, Instruction> f = REGISTERED.getOrDefault(id, EXTRA.get(id));
        if (f == null) {
            throw new IllegalArgumentException("unknown IFEval instruction id '" + id + "'; known: " + ids());
        }
        return f.apply(new Args(id, kwargs));
    }

    /** {@code instructions_util.count_words}: the number of {@code \w+} runs (Unicode word characters). */
    static int countWords(String text) {
        return PyText.countMatches(WORD, text);
    }

    private static final Pattern WORD = PyText.compile("\\w+", 0);

    /** Python's {@code re.compile(user_text)}; text that is not a valid Java regex is matched literally. */
    private static Pattern userRegex(String regex, int flags) {
        try {
            return PyText.compile(regex, flags);
        } catch (PatternSyntaxException e) {
            return PyText.compile(Pattern.quote(regex), flags);
        }
    }

    /** Typed access to one instruction's kwargs, with errors that name the instruction and the argument. */
    private record Args(String id, Map<String, ?> kwargs) {

        private Object get(String field) {
            Object v = kwargs.get(field);
            if (v == null) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "' needs argument '" + field + "'");
            }
            return v;
        }

        String string(String field) {
            Object v = get(field);
            if (!(v instanceof String s)) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "': argument '" + field
                        + "' must be a string, got " + v);
            }
            return s;
        }

        int nonNegative(String field) {
            Object v = get(field);
            if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
                    || n.longValue() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "': argument '" + field
                        + "' must be a non-negative integer, got " + v);
            }
            return n.intValue();
        }

        Relation relation(String field) {
            try {
                return Relation.parse(field, get(field));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "': " + e.getMessage(), e);
            }
        }

        List<String> stringList(String field) {
            Object v = get(field);
            if (!(v instanceof List<?> l) || l.isEmpty()) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "': argument '" + field
                        + "' must be a non-empty list of strings, got " + v);
            }
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) {
                    throw new IllegalArgumentException("IFEval instruction '" + id + "': argument '" + field
                            + "' must hold strings, got " + o);
                }
                out.add(s);
            }
            return List.copyOf(out);
        }

        String letter(String field) {
            String s = string(field).strip();
            if (s.codePointCount(0, s.length()) != 1) {
                throw new IllegalArgumentException("IFEval instruction '" + id + "': argument '" + field
                        + "' must be a single non-whitespace character, got \"" + string(field) + "\"");
            }
            return PyText.lower(s);
        }
    }

    // ---- the checkers ------------------------------------------------------------------------------------------

    /** Every keyword occurs (as a case-insensitive regular expression search, as the reference does). */
    record KeywordsExist(String id, List<String> keywords) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            for (String k : keywords) {
                if (!userRegex(k, CI).matcher(response).find()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Non-overlapping case-insensitive occurrences of the keyword compared with the threshold. */
    record KeywordFrequency(String id, String keyword, int frequency, Relation relation) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return relation.holds(PyText.countMatches(userRegex(keyword, CI), response), frequency);
        }
    }

    /** None of the words occurs as a whole word (case-insensitive, {@code \b} boundaries). */
    record ForbiddenWords(String id, List<String> words) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            for (String w : new TreeSet<>(words)) {
                if (userRegex("\\b" + w + "\\b", CI).matcher(response).find()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Occurrences of one character in the lower-cased response compared with the threshold. */
    record LetterFrequency(String id, String letter, int frequency, Relation relation) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String lower = PyText.lower(response);
            int n = 0;
            for (int at = lower.indexOf(letter); at >= 0; at = lower.indexOf(letter, at + letter.length())) {
                n++;
            }
            return relation.holds(n, frequency);
        }
    }

    /** The detected language is the requested one; undetectable text counts as followed. */
    record ResponseLanguage(String id, String language) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return LanguageDetection.detect(response).map(language::equals).orElse(true);
        }
    }

    /** A count (sentences or words) compared with a threshold. */
    record CountAtMostOrLeast(String id, java.util.function.ToIntFunction<String> counter, int threshold,
                              Relation relation) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return relation.holds(counter.applyAsInt(response), threshold);
        }
    }

    /** Exactly n paragraphs separated by {@code ***}; an empty paragraph is allowed only first or last. */
    record Paragraphs(String id, int count) implements Instruction {
        private static final Pattern DIVIDER = PyText.compile("\\s?\\*\\*\\*\\s?", 0);

        @Override
        public boolean isFollowed(String response) {
            List<String> parts = PyText.reSplit(DIVIDER, response);
            int n = parts.size();
            for (int i = 0; i < parts.size(); i++) {
                if (PyText.strip(parts.get(i)).isEmpty()) {
                    if (i == 0 || i == parts.size() - 1) {
                        n--;
                    } else {
                        return false;
                    }
                }
            }
            return n == count;
        }
    }

    /** n paragraphs split on blank lines, the k-th starting with the given word. */
    record NthParagraphFirstWord(String id, int count, int nth, String firstWord) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            List<String> parts = PyText.split(response, "\n\n");
            int n = parts.size();
            for (String p : parts) {
                if (PyText.strip(p).isEmpty()) {
                    n--;
                }
            }
            // the reference indexes the unfiltered split, so an empty paragraph before the n-th shifts nothing
            if (nth > n || nth < 1) {
                return false;
            }
            String paragraph = PyText.strip(parts.get(nth - 1));
            if (paragraph.isEmpty()) {
                return false;
            }
            String word = PyText.lstrip(PyText.lstrip(PyText.splitWhitespace(paragraph).get(0), "'"), "\"");
            StringBuilder first = new StringBuilder();
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                if (".,?!'\"".indexOf(c) >= 0) {
                    break;
                }
                first.append(c);
            }
            return n == count && PyText.lower(first.toString()).equals(firstWord);
        }
    }

    /** At least n {@code [placeholder]}s. */
    record Placeholders(String id, int count) implements Instruction {
        private static final Pattern PLACEHOLDER = PyText.compile("\\[.*?\\]", 0);

        @Override
        public boolean isFollowed(String response) {
            return PyText.countMatches(PLACEHOLDER, response) >= count;
        }
    }

    /** A line-or-later text starting with the postscript marker ({@code P.S.}, {@code P.P.S} with loose spacing). */
    record Postscript(String id, String marker) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String regex;
            if (marker.equals("P.P.S")) {
                regex = "\\s*p\\.\\s?p\\.\\s?s.*$";
            } else if (marker.equals("P.S.")) {
                regex = "\\s*p\\.\\s?s\\..*$";
            } else {
                regex = "\\s*" + PyText.lower(marker) + ".*$";
            }
            return userRegex(regex, Pattern.MULTILINE).matcher(PyText.lower(response)).find();
        }
    }

    /** Exactly n markdown bullets: lines starting with {@code *} (not {@code **}) or {@code -}. */
    record BulletLists(String id, int count) implements Instruction {
        private static final Pattern STAR = PyText.compile("^\\s*\\*[^*].*$", Pattern.MULTILINE);
        private static final Pattern DASH = PyText.compile("^\\s*-.*$", Pattern.MULTILINE);

        @Override
        public boolean isFollowed(String response) {
            return PyText.countMatches(STAR, response) + PyText.countMatches(DASH, response) == count;
        }
    }

    /** Contains "My answer is yes.", "My answer is no." or "My answer is maybe.". */
    record ConstrainedResponse(String id) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String v = PyText.strip(response);
            return v.contains("My answer is yes.") || v.contains("My answer is no.")
                    || v.contains("My answer is maybe.");
        }
    }

    /** At least n non-blank {@code *highlighted*} or {@code **highlighted**} spans on one line. */
    record Highlights(String id, int count) implements Instruction {
        private static final Pattern SINGLE = PyText.compile("\\*[^\\n*]*\\*", 0);
        private static final Pattern DOUBLE = PyText.compile("\\*\\*[^\\n*]*\\*\\*", 0);

        @Override
        public boolean isFollowed(String response) {
            int n = 0;
            Matcher s = SINGLE.matcher(response);
            while (s.find()) {
                if (!PyText.strip(PyText.strip(s.group(), "*")).isEmpty()) {
                    n++;
                }
            }
            Matcher d = DOUBLE.matcher(response);
            while (d.find()) {
                String g = d.group();
                if (!PyText.strip(g.substring(2, g.length() - 2)).isEmpty()) {
                    n++;
                }
            }
            return n >= count;
        }
    }

    /** At least n section headers "SPLITTER k". */
    record Sections(String id, String splitter, int count) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            Pattern p = userRegex("\\s?" + splitter + "\\s?\\d+\\s?", 0);
            return PyText.countMatches(p, response) >= count;
        }
    }

    /** The whole response (optionally in a markdown code fence) parses as JSON. */
    record JsonFormat(String id) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String v = PyText.strip(response);
            for (String prefix : new String[] {"```json", "```Json", "```JSON", "```"}) {
                if (v.startsWith(prefix)) { // applied one after the other, like the reference's removeprefix chain
                    v = v.substring(prefix.length());
                }
            }
            if (v.endsWith("```")) {
                v = v.substring(0, v.length() - 3);
            }
            v = PyText.strip(v);
            try {
                JsonNode node = JSON.readTree(v);
                return node != null && !node.isMissingNode();
            } catch (java.io.IOException | RuntimeException e) {
                return false;
            }
        }
    }

    /** A non-blank {@code <<title>>} on one line. */
    record Title(String id) implements Instruction {
        private static final Pattern TITLE = PyText.compile("<<[^\\n]+>>", 0);

        @Override
        public boolean isFollowed(String response) {
            Matcher m = TITLE.matcher(response);
            while (m.find()) {
                if (!PyText.strip(PyText.rstrip(PyText.lstrip(m.group(), "<"), ">")).isEmpty()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Two different responses separated by {@code ******}. */
    record TwoResponses(String id) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            List<String> parts = PyText.split(response, "******");
            List<String> valid = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                if (PyText.strip(parts.get(i)).isEmpty()) {
                    if (i != 0 && i != parts.size() - 1) {
                        return false;
                    }
                } else {
                    valid.add(parts.get(i));
                }
            }
            return valid.size() == 2 && !PyText.strip(valid.get(0)).equals(PyText.strip(valid.get(1)));
        }
    }

    /** Starts (case-insensitively) with the request repeated word for word. */
    record RepeatPrompt(String id, String prompt) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return PyText.lower(PyText.strip(response)).startsWith(PyText.lower(PyText.strip(prompt)));
        }
    }

    /** Ends (case-insensitively, ignoring surrounding quotes) with the phrase. */
    record EndPhrase(String id, String phrase) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String v = PyText.lower(PyText.strip(PyText.strip(response), "\""));
            return v.endsWith(PyText.lower(PyText.strip(phrase)));
        }
    }

    /** All-capital words (NLTK word tokens) compared with the threshold. */
    record CapitalWords(String id, int frequency, Relation relation) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            int n = 0;
            for (String w : WordTokens.tokenize(response)) {
                if (PyText.isUpper(w)) {
                    n++;
                }
            }
            return relation.holds(n, frequency);
        }
    }

    /** All upper (or all lower) case, and detected as English; undetectable text counts as followed. */
    record EnglishCase(String id, boolean upper) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            boolean cased = upper ? PyText.isUpper(response) : PyText.isLower(response);
            if (!cased) {
                return false;
            }
            return LanguageDetection.detect(response).map("en"::equals).orElse(true);
        }
    }

    /** No comma anywhere. */
    record NoComma(String id) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return response.indexOf(',') < 0;
        }
    }

    /** The stripped response starts and ends with a double quote. */
    record Quotation(String id) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            String v = PyText.strip(response);
            return v.length() > 1 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"';
        }
    }

    // ---- implemented by the reference but not registered in IFEval -------------------------------------------

    /** Some line starts with the starter phrase (used as a regular expression, as the reference does). */
    record ConstrainedStart(String id, String starter) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            return userRegex("^\\s*" + starter + ".*$", Pattern.MULTILINE).matcher(response).find();
        }
    }

    /** Equal to the original once the {@code *changed*} spans are removed from both. */
    record Rephrase(String id, String original) implements Instruction {
        private static final Pattern CHANGE = PyText.compile("\\*.*\\*", 0);

        static Rephrase of(String id, String original) {
            if (!CHANGE.matcher(original).find()) {
                throw new IllegalArgumentException("IFEval instruction '" + id
                        + "': original_message has no change marked as *change me*");
            }
            return new Rephrase(id, original);
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException if the response marks no change as {@code *change me*} (the reference
         *                                  raises ValueError)
         */
        @Override
        public boolean isFollowed(String response) {
            if (!CHANGE.matcher(response).find()) {
                throw new IllegalArgumentException("response has no change marked as *change me*");
            }
            return CHANGE.matcher(response).replaceAll("").equals(CHANGE.matcher(original).replaceAll(""));
        }
    }

    /** Exactly n of the key sentences occur as sentences of the response. */
    record KeySentences(String id, List<String> sentences, int count) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            List<String> split = SimpleSentences.split(response);
            int n = 0;
            for (String s : new java.util.LinkedHashSet<>(sentences)) {
                if (split.contains(s)) {
                    n++;
                }
            }
            return n == count;
        }
    }

    /** Between low and high words (case-insensitive, with multiplicity) shared with the original paragraph. */
    record RephraseParagraph(String id, String original, int low, int high) implements Instruction {
        @Override
        public boolean isFollowed(String response) {
            Map<String, Integer> mine = wordCounts(response);
            int shared = 0;
            for (Map.Entry<String, Integer> e : wordCounts(original).entrySet()) {
                shared += Math.min(e.getValue(), mine.getOrDefault(e.getKey(), 0));
            }
            return shared >= low && shared <= high;
        }

        private static Map<String, Integer> wordCounts(String s) {
            Map<String, Integer> counts = new HashMap<>();
            Matcher m = WORD.matcher(PyText.lower(s));
            while (m.find()) {
                counts.merge(m.group(), 1, Integer::sum);
            }
            return counts;
        }
    }
}
