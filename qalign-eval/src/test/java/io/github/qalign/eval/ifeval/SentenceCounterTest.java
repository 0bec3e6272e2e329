package io.github.qalign.eval.ifeval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Sentence counts in Punkt's manner, and the linear-time candidate search against Punkt's own pattern. */
class SentenceCounterTest {

    @ParameterizedTest(name = "{1} in \"{0}\"")
    @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
        "`` # 0",
        "`   ` # 0",
        "Hello world # 1",
        "Hello world. # 1",
        "Hello world. How are you? Fine! # 3",
        "What?! Really. # 2",
        "Mr. Smith went to Washington. He arrived. # 2",
        "The U.S. Army is big. # 1",
        "We met Dr. Smith, e.g. the doctor. # 1",
        "He said \"Stop.\" Then he left. # 2",
        "It costs $3.50 today. # 1",
        "Ellipsis... and more. # 1",
        "Wait... The end. # 2",
        "J. Smith wrote it. # 1",
        "no.space.between.them # 1",
    })
    void counts(String text, int expected) {
        assertThat(SentenceCounter.count(text)).isEqualTo(expected);
    }

    @Test
    void lineBreaksAloneDoNotEndSentences() {
        assertThat(SentenceCounter.count("First line\nsecond line without a period\n\n* a bullet")).isEqualTo(1);
        assertThat(SentenceCounter.count("One.\nTwo.\n\nThree.")).isEqualTo(3);
    }

    @Test
    void anchoredCandidateSearchFindsWhatPunktsPatternFinds() throws IOException {
        Pattern punkt = PyText.compile("\\S*[.?!](?=(?<after>[?!)\";}\\]*:@'({\\[])|\\s+(?<next>\\S+))", 0);
        int texts = 0;
        for (String response : Gpt4Responses.load().values()) {
            assertThat(SentenceCounter.count(response)).isEqualTo(SentenceCounter.count(response, punkt));
            texts++;
        }
        assertThat(texts).isEqualTo(541);
        String tricky = "a.b.c.) x end.\"Next\" ok.(paren) Done. " + "x".repeat(2000) + ".y z.";
        assertThat(SentenceCounter.count(tricky)).isEqualTo(SentenceCounter.count(tricky, punkt));
    }
}
