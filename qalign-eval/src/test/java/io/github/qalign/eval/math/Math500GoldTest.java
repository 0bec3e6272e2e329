package io.github.qalign.eval.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.answer.MathAnswerExtractor;
import io.github.qalign.eval.data.Datasets;
import io.github.qalign.eval.data.MathItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * MATH500's gold {@code answer} field against the last boxed answer of its gold {@code solution}: every one of the
 * 500 must be equivalent. And the equivalence must not be too generous: across all pairs of problems whose gold
 * answers differ as normalised strings, the pairs it declares equivalent must be exactly the pairs whose answers
 * are genuinely the same value, listed below after checking each by hand.
 */
class Math500GoldTest {

    private final List<MathItem> items = Datasets.math500();

    @Test
    void everyGoldAnswerIsEquivalentToTheBoxedAnswerOfItsSolution() {
        assertThat(items).hasSize(500);
        int raw = 0;
        int normalised = 0;
        List<String> disagree = new ArrayList<>();
        for (MathItem item : items) {
            Optional<String> boxed = MathAnswerExtractor.lastBoxedContent(item.solution());
            assertThat(boxed).as(item.uniqueId()).isPresent();
            raw += boxed.get().strip().equals(item.answer().strip()) ? 1 : 0;
            normalised += MathAnswerExtractor.normalize(boxed.get()).equals(MathAnswerExtractor.normalize(item.answer()))
                    ? 1 : 0;
            if (!MathEquivalence.equivalent(boxed.get(), item.answer())) {
                disagree.add(item.uniqueId() + ": boxed '" + boxed.get() + "' vs answer '" + item.answer() + "'");
            }
        }
        // in this release every boxed answer is already the answer field verbatim (after trimming)
        assertThat(raw).isEqualTo(500);
        assertThat(normalised).isEqualTo(500);
        assertThat(disagree).isEmpty();
    }

    @Test
    void differentGoldAnswersStayDifferentUnlessTheyAreTheSameValue() {
        List<String> equivalentPairs = new ArrayList<>();
        List<String> canonical = items.stream().map(i -> MathEquivalence.canonical(i.answer())).toList();
        List<String> normalised = items.stream().map(i -> MathAnswerExtractor.normalize(i.answer())).toList();
        for (int i = 0; i < items.size(); i++) {
            for (int j = i + 1; j < items.size(); j++) {
                String a = items.get(i).answer();
                String b = items.get(j).answer();
                if (!normalised.get(i).equals(normalised.get(j))
                        && MathEquivalence.equivalentCanonical(canonical.get(i), canonical.get(j))) {
                    equivalentPairs.add(a + " == " + b);
                }
            }
        }
        // two problems whose solution sets are {1, -2}, listed in different orders
        assertThat(equivalentPairs).containsExactly("1,-2 == -2,1");
    }

    /** A fraction of two integer literals, e.g. {@code \frac{14}{3}}. */
    private static final Pattern SIMPLE_FRAC = Pattern.compile("(?<![\\d}]\\s{0,3})\\\\frac\\{(-?\\d+)\\}\\{(\\d+)\\}");

    /**
     * Each gold answer rewritten the ways models write answers ({@code \dfrac}, extra spaces, {@code a/b} for a
     * fraction of integers, {@code 14.0} for an integer, {@code \text{14}}) stays equivalent to the original.
     */
    @Test
    void rewrittenGoldAnswersStayEquivalent() {
        int checked = 0;
        for (MathItem item : items) {
            String gold = item.answer();
            List<String> variants = new ArrayList<>();
            variants.add(gold.replace("\\frac", "\\dfrac"));
            variants.add(" " + gold.replace(",", " , ") + " ");
            Matcher m = SIMPLE_FRAC.matcher(gold);
            if (m.find()) {
                variants.add(m.replaceAll("$1/$2"));
            }
            if (gold.matches("-?\\d+")) {
                variants.add(gold + ".0");
                variants.add("\\text{" + gold + "}");
            }
            for (String v : variants) {
                assertThat(MathEquivalence.equivalent(v, gold)).as("'%s' vs '%s'", v, gold).isTrue();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1300);
    }
}
