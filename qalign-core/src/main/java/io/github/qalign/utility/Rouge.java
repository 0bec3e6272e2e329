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
import java.util.regex.Pattern;

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
 * <p>Words: the text is lower-cased ({@link Locale#ROOT}) and split on runs of whitespace; punctuation stays
 * attached to its word (no stemming, no stop words), which keeps the measure simple and predictable.
 *
 * <p>The {@link Utility#indexed() indexed} form of ROUGE-1 precomputes, per item, a sparse count vector over a
 * compact id dictionary shared by the evaluator; a pair then costs one pass over the reference's distinct tokens
 * against the candidate's counts scattered into a dense scratch array, so a 1024 x 1024 matrix of 256-token
 * completions takes a fraction of a second.
 */
public final class Rouge {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

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
     * ROUGE-1 F1 over lower-cased whitespace-separated words of the texts.
     *
     * @return a symmetric utility
     */
    public static Utility<String> rouge1Words() {
        return new Rouge1<>("rouge1Words", WordIds::new);
    }

    /**
     * ROUGE-L F1 over lower-cased whitespace-separated words of the texts.
     *
     * @return a symmetric utility
     */
    public static Utility<String> rougeLWords() {
        return new Base<>("rougeLWords", WordIds::new, Rouge::rougeLF1);
    }

    /**
     * The words of {@code text}: lower-cased, split on runs of whitespace, no empty words.
     *
     * @param text any text
     * @return the words, possibly none
     */
    public static List<String> words(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return List.of();
        }
        return List.of(WHITESPACE.split(t));
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

        @Override
        public int[] apply(String text) {
            List<String> w = words(text);
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
