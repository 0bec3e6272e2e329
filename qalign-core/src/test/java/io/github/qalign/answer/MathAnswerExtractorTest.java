package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathAnswerExtractorTest {

    private final AnswerExtractor x = AnswerExtractor.math();

    @Test
    void nestedBracesAreMatched() {
        assertThat(x.extract("so $\\boxed{\\frac{\\sqrt{3}}{2}}$.")).contains("\\frac{\\sqrt{3}}{2}");
        assertThat(x.extract("\\boxed{\\begin{pmatrix} 1 \\\\ {2} \\end{pmatrix}}"))
                .contains("\\begin{pmatrix}1\\\\{2}\\end{pmatrix}");
    }

    @Test
    void escapedBracesDoNotCount() {
        assertThat(x.extract("\\boxed{\\{1, 2\\}}")).contains("\\{1,2\\}");
    }

    @Test
    void theLastBoxWinsAndFboxCounts() {
        assertThat(x.extract("\\boxed{1} no wait \\boxed{2}")).contains("2");
        assertThat(x.extract("\\boxed{1} then \\fbox{3}")).contains("3");
        assertThat(x.extract("\\fbox{3} then \\boxed{4}")).contains("4");
    }

    @Test
    void bracelessBox() {
        assertThat(x.extract("the answer is $\\boxed 5$.")).contains("5");
    }

    @Test
    void noBoxUnbalancedOrEmptyGivesNothing() {
        assertThat(x.extract("The answer is 5.")).isEmpty();
        assertThat(x.extract("\\boxed{\\frac{1}{2}")).isEmpty();
        assertThat(x.extract("\\boxed{ }")).isEmpty();
        assertThat(x.extract("\\boxed")).isEmpty();
        assertThat(x.extract("\\boxedx{3}")).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "\\left( 3, \\frac{\\pi}{2} \\right)|(3,\\frac{\\pi}{2})",
        "90^\\circ|90",
        "90^{\\circ}|90",
        "\\text{Evelyn}|Evelyn",
        "\\text{(C)}|(C)",
        "\\dfrac{17}{50}|\\frac{17}{50}",
        "\\tfrac12|\\frac{1}{2}",
        "\\frac 59|\\frac{5}{9}",
        "\\frac{270}7\\text{ degrees}|\\frac{270}{7}",
        "10,\\!080|10080",
        "11,\\! 111,\\! 111,\\! 100|11111111100",
        "\\$32,\\!348|32348",
        "864 \\mbox{ inches}^2|864",
        "5.4 \\text{ cents}|5.4",
        "3, 5, 7|3,5,7",
        "x = 5|5",
        "y = 2x + 3|2x+3",
        "5x - 7y + 11z + 4 = 0|5x-7y+11z+4=0",
        "2\\sqrt2|2\\sqrt{2}",
        "50\\%|50",
        ".5|0.5",
        "18.|18",
        "\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]|[\\frac{\\pi^2}{8},\\frac{5\\pi^2}{4}]",
    })
    void normalisation(String raw, String expected) {
        assertThat(MathAnswerExtractor.normalize(raw)).isEqualTo(expected);
    }

    @Test
    void leftRightOnlyBeforeDelimiters() {
        assertThat(MathAnswerExtractor.normalize("x \\rightarrow 0")).isEqualTo("x\\rightarrow0");
    }

    @Test
    void equalValuesWrittenDifferentlyAreNotIdentified() {
        // documented limitation: no symbolic equivalence
        assertThat(x.extract("\\boxed{0.5}")).isNotEqualTo(x.extract("\\boxed{\\frac{1}{2}}"));
    }
}
