package io.github.qalign.utility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.qalign.model.TokenIds;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RougeTest {

    /** Independent ROUGE-1 reference: hash-map counts. */
    private static double naiveRouge1(int[] a, int[] b) {
        if (a.length == 0 || b.length == 0) {
            return a.length == b.length ? 1.0 : 0.0;
        }
        Map<Integer, Integer> ca = new HashMap<>();
        for (int t : a) {
            ca.merge(t, 1, Integer::sum);
        }
        Map<Integer, Integer> cb = new HashMap<>();
        for (int t : b) {
            cb.merge(t, 1, Integer::sum);
        }
        int overlap = 0;
        for (Map.Entry<Integer, Integer> e : ca.entrySet()) {
            overlap += Math.min(e.getValue(), cb.getOrDefault(e.getKey(), 0));
        }
        double p = (double) overlap / a.length;
        double r = (double) overlap / b.length;
        return overlap == 0 ? 0.0 : 2 * p * r / (p + r);
    }

    /** Independent LCS reference: full DP table. */
    private static int naiveLcs(int[] a, int[] b) {
        int[][] t = new int[a.length + 1][b.length + 1];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t[a.length][b.length];
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void handComputedValues() {
        // overlap {1, 2} = 2; F1 = 2 * 2 / (3 + 4)
        assertThat(Rouge.rouge1().apply(TokenIds.of(1, 2, 3), TokenIds.of(1, 2, 4, 4))).isCloseTo(4.0 / 7, within(1e-15));
        // clipped counts: a has 1 twice, b three times -> overlap 2 (+ the 5) = 3; F1 = 6 / 7
        assertThat(Rouge.rouge1().apply(TokenIds.of(1, 1, 5), TokenIds.of(1, 1, 1, 5))).isCloseTo(6.0 / 7, within(1e-15));
        // LCS of [1 2 3 4 5] and [5 1 3 4 2] is [1 3 4] = 3; F1 = 6 / 10
        assertThat(Rouge.rougeL().apply(TokenIds.of(1, 2, 3, 4, 5), TokenIds.of(5, 1, 3, 4, 2))).isCloseTo(0.6, within(1e-15));
        // words: lower-cased, whitespace split: {the, cat} vs {the, cat, sat}
        assertThat(Rouge.rouge1Words().apply("The  cat", "the CAT\tsat")).isCloseTo(0.8, within(1e-15));
        assertThat(Rouge.rougeLWords().apply("a b c d", "b d a")).isCloseTo(2.0 * 2 / 7, within(1e-15));
        assertThat(Rouge.words("  Hello,  World \n")).containsExactly("hello", "world");
        // issue 7: punctuation and case no longer separate "Hello, world!" from "hello world" (rouge_score gives 1)
        assertThat(Rouge.rouge1Words().apply("Hello, world!", "hello world")).isEqualTo(1.0);
        assertThat(Rouge.rougeLWords().apply("Hello, world!", "hello world")).isEqualTo(1.0);
    }

    @Test
    void emptyInputs() {
        assertThat(Rouge.rouge1().apply(TokenIds.empty(), TokenIds.empty())).isEqualTo(1.0);
        assertThat(Rouge.rouge1().apply(TokenIds.empty(), TokenIds.of(1))).isEqualTo(0.0);
        assertThat(Rouge.rougeL().apply(TokenIds.of(1), TokenIds.empty())).isEqualTo(0.0);
        assertThat(Rouge.rouge1Words().apply("  ", "")).isEqualTo(1.0);
        Utility.Indexed<TokenIds> idx = Rouge.rouge1().indexed();
        idx.add(TokenIds.empty());
        idx.add(TokenIds.of(3));
        assertThat(idx.apply(0, 0)).isEqualTo(1.0);
        assertThat(idx.apply(0, 1)).isEqualTo(0.0);
        assertThat(idx.apply(1, 0)).isEqualTo(0.0);
    }

    @Property(tries = 300, seed = "20261127")
    void rouge1MatchesTheNaiveReferenceAndIsASymmetricF1(
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 12) Integer> a,
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 12) Integer> b) {
        int[] x = toArray(a);
        int[] y = toArray(b);
        double u = Rouge.rouge1F1(x, y);
        assertThat(u).isCloseTo(naiveRouge1(x, y), within(1e-12));
        assertThat(u).isEqualTo(Rouge.rouge1F1(y, x));
        assertThat(u).isBetween(0.0, 1.0);
        assertThat(Rouge.rouge1F1(x, x)).isEqualTo(1.0);
    }

    @Property(tries = 300, seed = "20261127")
    void rougeLMatchesTheNaiveLcsAndIsBoundedByRouge1(
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 6) Integer> a,
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 6) Integer> b) {
        int[] x = toArray(a);
        int[] y = toArray(b);
        assertThat(Rouge.lcsLength(x, y)).isEqualTo(naiveLcs(x, y));
        double u = Rouge.rougeLF1(x, y);
        assertThat(u).isEqualTo(Rouge.rougeLF1(y, x));
        assertThat(u).isBetween(0.0, 1.0);
        assertThat(u).isLessThanOrEqualTo(Rouge.rouge1F1(x, y) + 1e-15);
        assertThat(Rouge.rougeLF1(x, x)).isEqualTo(1.0);
    }

    @Property(tries = 200, seed = "20261127")
    void wordUtilitiesAreSymmetricF1(@ForAll @Size(max = 12) List<@IntRange(min = 0, max = 5) Integer> a,
                                     @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 5) Integer> b) {
        String[] vocab = {"The", "the", "cat", "sat", "on", "MAT"};
        String s = String.join(" ", a.stream().map(i -> vocab[i]).toList());
        String t = String.join("  ", b.stream().map(i -> vocab[i]).toList());
        for (Utility<String> u : List.of(Rouge.rouge1Words(), Rouge.rougeLWords())) {
            assertThat(u.apply(s, t)).isEqualTo(u.apply(t, s)).isBetween(0.0, 1.0);
            assertThat(u.apply(s, s)).isEqualTo(1.0);
        }
    }

    @Test
    void indexedFormsEqualThePairwiseForms() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 60;
        TokenIds[] items = new TokenIds[n];
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            int len = rnd.nextInt(0, 50);
            int[] ids = new int[len];
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < len; j++) {
                // skewed: small ids frequent, some large and negative ids to exercise the dictionary
                ids[j] = rnd.nextInt(4) == 0 ? rnd.nextInt(Integer.MIN_VALUE, Integer.MAX_VALUE) : rnd.nextInt(30);
                sb.append(j % 3 == 0 ? "W" : "w").append(ids[j] % 17).append(' ');
            }
            items[i] = TokenIds.of(ids);
            texts[i] = sb.toString();
        }
        checkIndexed(Rouge.rouge1(), items);
        checkIndexed(Rouge.rougeL(), items);
        checkIndexed(Rouge.rouge1Words(), texts);
        checkIndexed(Rouge.rougeLWords(), texts);
        checkIndexed(Utility.<TokenIds>exactMatch(), items);
    }

    private static <T> void checkIndexed(Utility<T> u, T[] items) {
        Utility.Indexed<T> idx = u.indexed();
        for (int i = 0; i < items.length; i++) {
            assertThat(idx.add(items[i])).isEqualTo(i);
        }
        assertThat(idx.size()).isEqualTo(items.length);
        // visit pairs in a scrambled order so the scatter cache is exercised in every state
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k = 0; k < items.length * items.length; k++) {
            int i = rnd.nextInt(items.length);
            int j = rnd.nextInt(items.length);
            assertThat(idx.apply(i, j)).as("%s(%d, %d)", u, i, j).isEqualTo(u.apply(items[i], items[j]));
        }
    }

    @Test
    void exactMatch() {
        Utility<String> u = Utility.exactMatch();
        assertThat(u.apply("a", "a")).isEqualTo(1.0);
        assertThat(u.apply("a", "b")).isEqualTo(0.0);
        assertThat(u.isSymmetric()).isTrue();
        assertThat(Rouge.rouge1().isSymmetric()).isTrue();
        Utility<String> custom = (x, y) -> 0.5;
        assertThat(custom.isSymmetric()).isFalse();
    }
}
