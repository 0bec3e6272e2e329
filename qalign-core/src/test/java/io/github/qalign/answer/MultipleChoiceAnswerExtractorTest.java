package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultipleChoiceAnswerExtractorTest {

    private final MultipleChoiceAnswerExtractor ad = new MultipleChoiceAnswerExtractor('D');
    private final MultipleChoiceAnswerExtractor aj = new MultipleChoiceAnswerExtractor('J');

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "The answer is (B).|B",
        "the answer is (b) or rather the answer is (C)|C",
        "Answer: C|C",
        "ANSWER: D.|D",
        "The correct answer is **C**.|C",
        "The answer is **(A)**|A",
        "Final answer: \\boxed{B}|B",
        "The correct option is D, since the others fail.|D",
        "The answer would be [C]|C",
        "The answer is: option B|B",
        "Thus it must be **B** here.|B",
        "After all that, I choose (C)|C",
        "So the answer is B because the others fail.|B",
        "The answer is A.|A",
    })
    void answerPatterns(String text, String expected) {
        assertThat(ad.extract(text)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "A good approach is to check each case.",
        "I think it is hard to say.",
        "A",  // would be a last-line answer only for a lone letter; see below
    })
    void proseLettersAreNeverAnswersUnlessAlone(String text) {
        if (text.equals("A")) {
            assertThat(ad.extract(text)).contains("A");
        } else {
            assertThat(ad.extract(text)).isEmpty();
            assertThat(aj.extract(text)).isEmpty();
        }
    }

    @Test
    void articleAndPronounAfterAnAnswerPhraseAreProse() {
        assertThat(ad.extract("Answer: A simple check shows the answer is (C)")).contains("C");
        assertThat(ad.extract("Answer: A simple check shows (C) is right")).isEmpty();
        assertThat(aj.extract("Answer: I think it is (B)")).contains("B");
        assertThat(aj.extract("Answer: I'm not sure")).isEmpty();
        assertThat(aj.extract("The answer is I.")).contains("I");
        assertThat(aj.extract("The answer is (I)")).contains("I");
    }

    @Test
    void lettersOutsideTheRangeAreNotOptions() {
        assertThat(ad.extract("The answer is (E).")).isEmpty();
        assertThat(aj.extract("The answer is (E).")).contains("E");
        assertThat(aj.extract("The answer is (K).")).isEmpty();
    }

    @Test
    void letterInsideAWordIsNotStandalone() {
        assertThat(ad.extract("Answer: Because of symmetry")).isEmpty();
        assertThat(ad.extract("The answer is Dan")).isEmpty();
    }

    @Test
    void optionListingIsNotAnAnswer() {
        assertThat(ad.extract("(A) one (B) two (C) three (D) four")).isEmpty();
        assertThat(ad.extract("A. one\nB. two\nC. three\nD. four")).isEmpty();
    }

    @Test
    void loneLetterOnTheLastLine() {
        assertThat(ad.extract("We eliminate the rest.\nB.")).contains("B");
        assertThat(ad.extract("We eliminate the rest.\n**C**\n")).contains("C");
        assertThat(ad.extract("We eliminate the rest with B.")).isEmpty();
    }

    @Test
    void lastAnswerPatternWins() {
        assertThat(ad.extract("The answer is (A). Wait, no: the answer is (D).")).contains("D");
    }

    @Test
    void badLastLetterIsRejected() {
        assertThatThrownBy(() -> new MultipleChoiceAnswerExtractor('a'))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastLetter");
        assertThatThrownBy(() -> new MultipleChoiceAnswerExtractor('1'))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lastLetter");
    }

    @Test
    void identityExtractor() {
        assertThat(AnswerExtractor.identity().extract("  42 \n")).contains("42");
        assertThat(AnswerExtractor.identity().extract(" \t ")).isEmpty();
    }
}
