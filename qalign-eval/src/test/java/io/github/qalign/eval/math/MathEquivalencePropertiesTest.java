package io.github.qalign.eval.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.qalign.eval.data.Datasets;
import io.github.qalign.eval.data.MathItem;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Properties on arbitrary input: the check never throws (model output is untrusted), is reflexive and symmetric,
 * and stays bounded on pathological input.
 */
class MathEquivalencePropertiesTest {

    private static final String[] PIECES = {"\\frac", "\\dfrac", "\\sqrt", "{", "}", "(", ")", "[", "]", "\\left(",
        "\\right)", ",", "=", "^", "_", "-", "+", "*", "/", "1", "2", "0.5", "x", "y", "\\pi", "\\infty", "\\cup",
        "\\text{cm}", "\\begin{pmatrix}", "\\end{pmatrix}", "\\\\", "&", "!", "|", " ", "\\", "$", "\\%", "."};

    private static String randomLatex(Random rng) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rng.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[rng.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    @Test
    void neverThrowsAndIsReflexiveAndSymmetricOnRandomLatex() {
        Random rng = new Random(20250405L);
        for (int i = 0; i < 5_000; i++) {
            String a = randomLatex(rng);
            String b = randomLatex(rng);
            assertThat(MathEquivalence.equivalent(a, a)).as("reflexive on '%s'", a).isTrue();
            assertThat(MathEquivalence.equivalent(a, b)).as("symmetric on '%s' / '%s'", a, b)
                    .isEqualTo(MathEquivalence.equivalent(b, a));
        }
    }

    @Test
    void randomLatexAgainstRealGoldAnswersIsSymmetric() {
        List<MathItem> items = Datasets.math500();
        Random rng = new Random(7L);
        for (int i = 0; i < 2_000; i++) {
            String gold = items.get(rng.nextInt(items.size())).answer();
            String other = randomLatex(rng);
            assertThat(MathEquivalence.equivalent(gold, other)).isEqualTo(MathEquivalence.equivalent(other, gold));
        }
    }

    @Test
    void pathologicalInputIsAnsweredWithoutError() {
        String deep = "(".repeat(20_000) + "1" + ")".repeat(20_000);
        assertThat(MathEquivalence.equivalent(deep, "1")).isFalse();
        assertThat(MathEquivalence.equivalent(deep, deep)).isTrue();
        String wide = "1,".repeat(50_000) + "1";
        assertThat(MathEquivalence.equivalent(wide, "1")).isFalse();
        String braces = "\\frac{".repeat(5_000);
        assertThat(MathEquivalence.equivalent(braces, "1")).isFalse();
    }
}
