package io.github.qalign.eval.math;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hard equivalences and non-equivalences, written by hand; each pair is checked in both orders. */
class MathEquivalenceTest {

    @ParameterizedTest(name = "{0}  ==  {1}")
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "0.5 # \\frac{1}{2}",
        "\\dfrac12 # 0.5",
        "\\tfrac{1}{2} # .5",
        "\\frac{14}{3} # 4\\frac{2}{3}*0+\\frac{14}{3}",
        "\\left( 3, \\frac{\\pi}{2} \\right) # (3,\\pi/2)",
        "\\left[ 0, 1 \\right) # [0,1)",
        "(-\\infty, -2] \\cup [3, \\infty) # [3,\\infty)\\cup(-\\infty,-2]",
        "5\\text{ cm} # 5",
        "864 \\mbox{ inches}^2 # 864",
        "\\text{Evelyn} # Evelyn",
        "\\text{(C)} # C",
        "90^\\circ # 90",
        "\\$36 # 36",
        "10,\\!080 # 10080",
        "x=5 # 5",
        "2\\sqrt{3} # \\sqrt{12}",
        "\\frac{\\sqrt{2}}{2} # \\frac{1}{\\sqrt2}",
        "\\sqrt[3]{-8} # -2",
        "2^{10} # 1024",
        "x^2+2x # 2x+x^2",
        "\\frac{x+1}{2} # \\frac{1}{2}x+\\frac12",
        "3\\pi # \\pi\\cdot 3",
        "1, -2 # -2, 1",
        "\\{1, 2\\} # 2, 1",
        "\\begin{pmatrix} 1 \\\\ -\\frac12 \\end{pmatrix} # \\begin{pmatrix}1\\\\-0.5\\end{pmatrix}",
        "y = 2x + 3 # y=3+2x",
        "5! # 120",
        "|{-3}| # 3",
        "\\infty # \\infty",
        "1.50 # \\frac32",
        "50\\% # 50",
        "1\\frac{4}{5} # \\frac95",
        "-2\\frac12 # -2.5",
        "1 \\pm \\sqrt{19} # 1-\\sqrt{19}, 1+\\sqrt{19}",
        "3 \\pm 2 \\sqrt{2} # 3\\pm\\sqrt{8}",
    })
    void equivalent(String a, String b) {
        assertThat(MathEquivalence.equivalent(a, b)).isTrue();
        assertThat(MathEquivalence.equivalent(b, a)).isTrue();
    }

    @ParameterizedTest(name = "{0}  !=  {1}")
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "0.333 # \\frac{1}{3}",
        "\\frac{1}{2} # \\frac{1}{3}",
        "(0,1) # [0,1]",
        "(0,1] # (0,1)",
        "(1,2) # (2,1)",
        "(1, 2) # 1, 2",
        "1, 2 # 1, 2, 3",
        "2x # 2y",
        "x^2 # x^3",
        "\\sqrt{2} # 1.414",
        "-\\infty # \\infty",
        "\\text{Evelyn} # Alice",
        "12 # 21",
        "1011_2 # 1011",
        "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} # \\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}",
        "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} # (1,2)",
        "y=2x+3 # y=2x-3",
        "3 # ",
        "\\frac{1}{0} # \\frac{2}{0}",
        "2^10 # 1024",
        "1\\frac{4}{5} # \\frac45",
        "1 \\pm \\sqrt{19} # 1+\\sqrt{19}",
        "\\pm 2 # 2",
    })
    void notEquivalent(String a, String b) {
        String other = b == null ? "" : b;
        assertThat(MathEquivalence.equivalent(a, other)).isFalse();
        assertThat(MathEquivalence.equivalent(other, a)).isFalse();
    }
}
