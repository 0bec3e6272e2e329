package io.github.qalign.utility;

import io.github.qalign.model.TokenIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleBiFunction;

/**
 * ROUGE-1 F1 (unigram overlap with clipped counts) and ROUGE-L F1 (longest common subsequence), over token ids or
 * over words.
 *
 * <p>Definitions, for sequences a (length m) and b (length n):
 * <ul>
 *   <li>ROUGE-1: overlap = sum over tokens w of min(count_a(w), count_b(w)); precision = overlap / m, recall =
 *       overlap / n, F1 = 2 overlap / (m + n).</li>
 *   <li>ROUGE-L: l = LCS(a, b); F1 = 2 l / (m + n) (the balanced F-measure of l/m and l/n).</li>
 *   <li>Empty inputs: two empty sequences score 1 (they are identical); one empty and one non-empty score 0.</li>
 * </ul>
 * Both are symmetric and lie in [0, 1], with u(a, a) = 1.
 *
 * <p>Words are tokenized exactly as Google's {@code rouge_score} does (its {@code tokenize.py}, the implementation
 * the MBR and summarization literature reports with): the text is lower-cased, every character outside
 * {@code [a-z0-9]} separates tokens (so punctuation, apostrophes and non-ASCII letters split words and are dropped),
 * and with stemming each token longer than 3 characters goes through NLTK's Porter stemmer
 * ({@link PorterStemmer#nltk()}). {@code "Hello, world!"} and {@code "hello world"} both give
 * {@code [hello, world]}. Stemming is off by default, as in {@code rouge_score}.
 *
 * <p>{@link #rougeN(String, String, int, boolean)} and {@link #rougeL(String, String, boolean)} return precision,
 * recall and F-measure computed exactly as {@code rouge_score}'s {@code RougeScorer.score(target, prediction)}
 * (including its convention that an empty side scores 0); the tests check 232 text pairs against values computed
 * with rouge_score's algorithm and NLTK's stemmer to 1e-12. The {@link Utility} forms keep this class's convention
 * that two empty token lists score 1, so that u(a, a) = 1 always holds for MBR.
 *
 * <p>The {@link Utility#indexed() indexed} form of ROUGE-1 precomputes, per item, a sparse count vector over a
 * compact id dictionary shared by the evaluator; a pair then costs one pass over the reference's distinct tokens
 * against the candidate's counts scattered into a dense scratch array, so a 1024 x 1024 matrix of 256-token
 * completions takes a fraction of a second.
 */
public final class Rouge {

    private Rouge() {
    }

    /**
     * ROUGE-1 F1 over token ids (the default MBR utility of the paper).
     *
     * @return a symmetric utility
     */
    public static Utility<TokenIds> rouge1() {
        return new Rouge1<>("rouge1", () -> TokenIds::toArray);
    }

    /**
     * ROUGE-L F1 over token ids.
     *
     * @return a symmetric utility
     */
    public static Utility<TokenIds> rougeL() {
        return new Base<>("rougeL", () -> TokenIds::toArray, Rouge::rougeLF1);
    }

    /**
     * ROUGE-1 F1 over the words of the texts, tokenized as {@code rouge_score} does without stemming.
     *
     * @return a symmetric utility
     */
    public static Utility<String> rouge1Words() {
        return rouge1Words(false);
    }

    /**
     * ROUGE-1 F1 over the words of the texts, tokenized as {@code rouge_score} does.
     *
     * @param stem whether to Porter-stem tokens longer than 3 characters ({@code use_stemmer=True})
     * @return a symmetric utility
     */
    public static Utility<String> rouge1Words(boolean stem) {
        return new Rouge1<>(stem ? "rouge1Words(stemmed)" : "rouge1Words", () -> new WordIds(stem));
    }

    /**
     * ROUGE-L F1 over the words of the texts, tokenized as {@code rouge_score} does without stemming.
     *
     * @return a symmetric utility
     */
    public static Utility<String> rougeLWords() {
        return rougeLWords(false);
    }

    /**
     * ROUGE-L F1 over the words of the texts, tokenized as {@code rouge_score} does.
     *
     * @param stem whether to Porter-stem tokens longer than 3 characters ({@code use_stemmer=True})
     * @return a symmetric utility
     */
    public static Utility<String> rougeLWords(boolean stem) {
        return new Base<>(stem ? "rougeLWords(stemmed)" : "rougeLWords", () -> new WordIds(stem), Rouge::rougeLF1);
    }

    /**
     * The words of {@code text} as {@code rouge_score} tokenizes without stemming: {@code tokens(text, false)}.
     *
     * @param text any text
     * @return the words, possibly none
     */
    public static List<String> words(String text) {
        return tokens(text, false);
    }

    /**
     * Tokenizes {@code text} as {@code rouge_score}'s {@code tokenize(text, stemmer)}: lower-case
     * ({@link Locale#ROOT}, which agrees with Python's {@code str.lower()} on every character that lower-cases to
     * ASCII), runs of characters outside {@code [a-z0-9]} are separators, and with {@code stem} every token longer
     * than 3 characters is replaced by {@link PorterStemmer#nltk()}'s stem.
     *
     * @param text any text
     * @param stem whether to stem
     * @return the tokens, each matching {@code [a-z0-9]+}, possibly none
     */
    public static List<String> tokens(String text, boolean stem) {
        String t = Objects.requireNonNull(text, "text").toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= t.length(); i++) {
            char c = i < t.length() ? t.charAt(i) : ' ';
            boolean keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (keep && start < 0) {
                start = i;
            } else if (!keep && start >= 0) {
                String w = t.substring(start, i);
                out.add(stem && w.length() > 3 ? PorterStemmer.nltk().stem(w) : w);
                start = -1;
            }
        }
        return out;
    }

    /**
     * Precision, recall and F-measure of a prediction against a target, as {@code rouge_score}'s {@code Score}.
     *
     * @param precision matches / prediction size
     * @param recall    matches / target size
     * @param fmeasure  2 P R / (P + R), 0 when P + R = 0
     */
    public record Score(double precision, double recall, double fmeasure) {
        static Score of(double precision, double recall) {
            return new Score(precision, recall,
                    precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0);
        }
    }

    /**
     * ROUGE-N of two texts exactly as {@code rouge_score.rouge_scorer.RougeScorer(["rougeN"], use_stemmer=stem)
     * .score(target, prediction)}: clipped n-gram overlap; precision = overlap / max(#prediction n-grams, 1),
     * recall = overlap / max(#target n-grams, 1).
     *
     * @param target     the reference text
     * @param prediction the candidate text
     * @param n          the n-gram order, &gt;= 1
     * @param stem       whether to stem (see {@link #tokens})
     * @return the score
     */
    public static Score rougeN(String target, String prediction, int n, boolean stem) {
        return rougeN(tokens(target, stem), tokens(prediction, stem), n);
    }

    /**
     * ROUGE-N of two token lists (see {@link #rougeN(String, String, int, boolean)}).
     *
     * @param target     reference tokens
     * @param prediction candidate tokens
     * @param n          the n-gram order, &gt;= 1
     * @return the score
     */
    public static Score rougeN(List<String> target, List<String> prediction, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("ROUGE-N needs n >= 1, got " + n);
        }
        Map<List<String>, Integer> t = ngrams(target, n);
        Map<List<String>, Integer> p = ngrams(prediction, n);
        long overlap = 0;
        for (Map.Entry<List<String>, Integer> e : t.entrySet()) {
            overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
        }
        int tn = Math.max(target.size() - n + 1, 0);
        int pn = Math.max(prediction.size() - n + 1, 0);
        return Score.of((double) overlap / Math.max(pn, 1), (double) overlap / Math.max(tn, 1));
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            counts.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * ROUGE-L of two texts exactly as {@code rouge_score}'s {@code "rougeL"}: l = LCS length of the token lists,
     * precision = l / |prediction|, recall = l / |target|, all 0 when either side has no tokens.
     *
     * @param target     the reference text
     * @param prediction the candidate text
     * @param stem       whether to stem (see {@link #tokens})
     * @return the score
     */
    public static Score rougeL(String target, String prediction, boolean stem) {
        return rougeL(tokens(target, stem), tokens(prediction, stem));
    }

    /**
     * ROUGE-L of two token lists (see {@link #rougeL(String, String, boolean)}).
     *
     * @param target     reference tokens
     * @param prediction candidate tokens
     * @return the score
     */
    public static Score rougeL(List<String> target, List<String> prediction) {
        if (target.isEmpty() || prediction.isEmpty()) {
            return new Score(0, 0, 0);
        }
        WordIds ids = new WordIds(false);
        int l = lcsLength(ids.map(target), ids.map(prediction));
        return Score.of((double) l / prediction.size(), (double) l / target.size());
    }

    /**
     * ROUGE-1 F1 of two id sequences.
     *
     * @param a candidate ids
     * @param b reference ids
     * @return 2 overlap / (|a| + |b|), see the class comment for empty inputs
     */
    public static double rouge1F1(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return a.length == b.length ? 1.0 : 0.0;
        }
        int[] x = a.clone();
        int[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        long overlap = 0;
        while (i < x.length && j < y.length) {
            if (x[i] == y[j]) {
                overlap++;
                i++;
                j++;
            } else if (x[i] < y[j]) {
                i++;
            } else {
                j++;
            }
        }
        return f1(overlap, a.length, b.length);
    }

    /**
     * ROUGE-L F1 of two id sequences.
     *
     * @param a candidate ids
     * @param b reference ids
     * @return 2 LCS / (|a| + |b|), see the class comment for empty inputs
     */
    public static double rougeLF1(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return a.length == b.length ? 1.0 : 0.0;
        }
        return f1(lcsLength(a, b), a.length, b.length);
    }

    /**
     * Length of the longest common subsequence, O(|a| |b|) time and O(min(|a|, |b|)) memory.
     *
     * @param a first sequence
     * @param b second sequence
     * @return the LCS length
     */
    public static int lcsLength(int[] a, int[] b) {
        int[] rows = a.length >= b.length ? a : b;
        int[] cols = a.length >= b.length ? b : a;
        int[] prev = new int[cols.length + 1];
        int[] cur = new int[cols.length + 1];
        for (int row : rows) {
            for (int j = 1; j <= cols.length; j++) {
                cur[j] = row == cols[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[cols.length];
    }

    private static double f1(long overlap, int m, int n) {
        double v = 2.0 * overlap / ((double) m + n);
        return Math.min(1.0, v);
    }

    /** Maps words to ids through a dictionary owned by one evaluator (or one pairwise call). */
    private static final class WordIds implements Function<String, int[]> {
        private final Map<String, Integer> dict = new HashMap<>();
        private final boolean stem;

        WordIds(boolean stem) {
            this.stem = stem;
        }

        @Override
        public int[] apply(String text) {
            return map(tokens(text, stem));
        }

        int[] map(List<String> w) {
            int[] ids = new int[w.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = dict.computeIfAbsent(w.get(i), k -> dict.size());
            }
            return ids;
        }
    }

    /**
     * A symmetric ROUGE utility: maps both sides to id arrays and scores them with {@code score}. Its evaluator
     * maps each item once; subclasses may precompute more per item.
     */
    private static class Base<T> implements Utility<T> {
        final String name;
        final Supplier<Function<T, int[]>> toIds;
        private final ToDoubleBiFunction<int[], int[]> score;

        Base(String name, Supplier<Function<T, int[]>> toIds, ToDoubleBiFunction<int[], int[]> score) {
            this.name = name;
            this.toIds = toIds;
            this.score = score;
        }

        @Override
        public double apply(T candidate, T reference) {
            Function<T, int[]> f = toIds.get();
            return score.applyAsDouble(f.apply(Objects.requireNonNull(candidate, "candidate")),
                    f.apply(Objects.requireNonNull(reference, "reference")));
        }

        @Override
        public Indexed<T> indexed() {
            Function<T, int[]> f = toIds.get();
            return new Indexed<>() {
                private final List<int[]> seqs = new ArrayList<>();

                @Override
                public int add(T item) {
                    seqs.add(f.apply(Objects.requireNonNull(item, "item")));
                    return seqs.size() - 1;
                }

                @Override
                public int size() {
                    return seqs.size();
                }

                @Override
                public double apply(int candidate, int reference) {
                    return score.applyAsDouble(seqs.get(candidate), seqs.get(reference));
                }
            };
        }

        @Override
        public boolean isSymmetric() {
            return true;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** ROUGE-1, whose evaluator keeps sparse count vectors per item. */
    private static final class Rouge1<T> extends Base<T> {
        Rouge1(String name, Supplier<Function<T, int[]>> toIds) {
            super(name, toIds, Rouge::rouge1F1);
        }

        @Override
        public Indexed<T> indexed() {
            return new Rouge1Index<>(toIds.get());
        }
    }

    /**
     * Sparse count vectors over a compact dictionary; pairs evaluated against a dense scatter of the candidate.
     */
    private static final class Rouge1Index<T> implements Utility.Indexed<T> {
        private final Function<T, int[]> toIds;
        private final IntIntMap dictionary = new IntIntMap();
        private int[][] keys = new int[16][];
        private int[][] counts = new int[16][];
        private int[] lengths = new int[16];
        private int size;
        private int[] scratch = new int[64];
        private int scattered = -1;

        Rouge1Index(Function<T, int[]> toIds) {
            this.toIds = toIds;
        }

        @Override
        public int add(T item) {
            int[] ids = toIds.apply(Objects.requireNonNull(item, "item")).clone();
            Arrays.sort(ids);
            int distinct = 0;
            for (int i = 0; i < ids.length; i++) {
                if (i == 0 || ids[i] != ids[i - 1]) {
                    distinct++;
                }
            }
            int[] k = new int[distinct];
            int[] c = new int[distinct];
            int d = -1;
            for (int i = 0; i < ids.length; i++) {
                if (i == 0 || ids[i] != ids[i - 1]) {
                    d++;
                    k[d] = dictionary.getOrAdd(ids[i]);
                }
                c[d]++;
            }
            if (size == keys.length) {
                int cap = size * 2;
                keys = Arrays.copyOf(keys, cap);
                counts = Arrays.copyOf(counts, cap);
                lengths = Arrays.copyOf(lengths, cap);
            }
            keys[size] = k;
            counts[size] = c;
            lengths[size] = ids.length;
            return size++;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public double apply(int candidate, int reference) {
            Objects.checkIndex(candidate, size);
            Objects.checkIndex(reference, size);
            int m = lengths[candidate];
            int n = lengths[reference];
            if (m == 0 || n == 0) {
                return m == n ? 1.0 : 0.0;
            }
            if (scattered != candidate) {
                scatter(candidate);
            }
            int[] k = keys[reference];
            int[] c = counts[reference];
            int[] s = scratch;
            long overlap = 0;
            for (int i = 0; i < k.length; i++) {
                overlap += Math.min(s[k[i]], c[i]);
            }
            return f1(overlap, m, n);
        }

        private void scatter(int candidate) {
            if (scattered >= 0) {
                for (int key : keys[scattered]) {
                    scratch[key] = 0;
                }
            }
            if (scratch.length < dictionary.size()) {
                scratch = new int[Math.max(dictionary.size(), scratch.length * 2)];
            }
            int[] k = keys[candidate];
            int[] c = counts[candidate];
            for (int i = 0; i < k.length; i++) {
                scratch[k[i]] = c[i];
            }
            scattered = candidate;
        }
    }

    /** Open-addressing int to compact-index map (values 0, 1, 2, ... in insertion order). */
    private static final class IntIntMap {
        private int[] table = new int[1024];
        private int[] values = new int[1024];
        private boolean[] used = new boolean[1024];
        private int size;

        int size() {
            return size;
        }

        int getOrAdd(int key) {
            int mask = table.length - 1;
            int i = mix(key) & mask;
            while (used[i]) {
                if (table[i] == key) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            used[i] = true;
            table[i] = key;
            values[i] = size;
            size++;
            if (size * 2 > table.length) {
                grow();
            }
            return size - 1;
        }

        private void grow() {
            int[] oldT = table;
            int[] oldV = values;
            boolean[] oldU = used;
            table = new int[oldT.length * 2];
            values = new int[oldT.length * 2];
            used = new boolean[oldT.length * 2];
            int mask = table.length - 1;
            for (int j = 0; j < oldT.length; j++) {
                if (oldU[j]) {
                    int i = mix(oldT[j]) & mask;
                    while (used[i]) {
                        i = (i + 1) & mask;
                    }
                    used[i] = true;
                    table[i] = oldT[j];
                    values[i] = oldV[j];
                }
            }
        }

        private static int mix(int key) {
            int h = key * 0x9E3779B9;
            return h ^ (h >>> 16);
        }
    }
}
