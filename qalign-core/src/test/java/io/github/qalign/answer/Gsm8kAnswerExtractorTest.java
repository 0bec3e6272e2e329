package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Gsm8kAnswerExtractorTest {

    private final AnswerExtractor x = AnswerExtractor.gsm8k();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "He has 18.00 apples left.|18",
        "The total is $1,000.|1000",
        "#### 1,234,567|1234567",
        "It dropped to -5 degrees.|-5",
        "Each costs 0.50 dollars.|0.5",
        "The answer is 18. Then 2 more things were said.|18",
        "The final answer is: $42|42",
        "10 - 3 = 7|7",
        "Temperature: 5-3 = 2|2",
        "So x = 3.14159|3.14159",
        "The result is -0.|0",
        "He saved 25% of it, that is 12|12",
        "Result: 007|7",
        "First 3, then 4,5,6 and finally 12,34|34",
        "Total: 1,000,000 dollars.|1000000",
    })
    void extractsTheFinalNumberCanonically(String text, String expected) {
        assertThat(x.extract(text)).contains(expected);
    }

    @Test
    void numericallyEqualAnswersAreEqualStrings() {
        assertThat(x.extract("18.00")).isEqualTo(x.extract("18"));
        assertThat(x.extract("$1,000")).isEqualTo(x.extract("1000"));
        assertThat(x.extract("1e3 is 1000.0")).isEqualTo(x.extract("1000"));
        assertThat(x.extract("-7.50")).contains("-7.5");
    }

    @Test
    void markerBeatsBoxBeatsPhraseBeatsLastNumber() {
        assertThat(x.extract("The answer is 5. \\boxed{6} then 7\n#### 8\nthen 9")).contains("8");
        assertThat(x.extract("The answer is 5. so \\boxed{6} then 7")).contains("6");
        assertThat(x.extract("The answer is 5, not 7")).contains("5");
        assertThat(x.extract("first 5, not 7")).contains("7");
    }

    @Test
    void markerOrPhraseWithoutNumberFallsThrough() {
        assertThat(x.extract("It is 12 #### unknown")).contains("12");
        assertThat(x.extract("I computed 12. The answer is unclear")).contains("12");
    }

    @Test
    void unicodeWhoseLowerCaseIsLongerDoesNotShiftOffsets() {
        // "\u0130" (I with dot) lower-cases to two chars; offsets must still refer to the original text
        assertThat(x.extract("\u0130\u0130\u0130\u0130 THE ANSWER IS 12, later 99")).contains("12");
        assertThat(x.extract("\u0130\u0130\u0130\u0130\u0130\u0130 answer is")).isEmpty();
    }

    @Test
    void textWithoutNumberHasNoAnswer() {
        assertThat(x.extract("I do not know.")).isEmpty();
        assertThat(x.extract("")).isEqualTo(Optional.empty());
    }

    @Test
    void nullTextIsRejected() {
        assertThatThrownBy(() -> x.extract(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("text");
    }

    @Test
    void canonicalNumberHelper() {
        assertThat(Gsm8kAnswerExtractor.canonicalNumber("1,000")).contains("1000");
        assertThat(Gsm8kAnswerExtractor.canonicalNumber("none")).isEmpty();
    }
}
