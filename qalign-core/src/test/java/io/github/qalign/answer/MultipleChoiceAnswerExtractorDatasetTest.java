package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The multiple-choice extractor on MMLU-Redux items written as responses that restate the question and options and
 * end with the gold letter in an answer pattern.
 */
class MultipleChoiceAnswerExtractorDatasetTest {

    private final MultipleChoiceAnswerExtractor extractor = new MultipleChoiceAnswerExtractor('D');

    private record Item(String question, List<String> choices, String gold) {
    }

    private static List<Item> items(String file) {
        List<List<String>> rows = DatasetRows.csv("/data/mmlu-redux/" + file);
        List<String> header = rows.get(0);
        int q = header.indexOf("question");
        int c = header.indexOf("choices");
        int a = header.indexOf("answer");
        List<Item> out = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            List<String> choices = DatasetRows.pythonStringList(row.get(c));
            assertThat(choices).as("choices of %s", row.get(q)).hasSize(4);
            out.add(new Item(row.get(q), choices, String.valueOf((char) ('A' + Integer.parseInt(row.get(a))))));
        }
        return out;
    }

    private static String restated(Item item) {
        StringBuilder sb = new StringBuilder("Question: ").append(item.question()).append('\n');
        for (int i = 0; i < 4; i++) {
            sb.append((char) ('A' + i)).append(". ").append(item.choices().get(i)).append('\n');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmlu_college_mathematics.csv", "mmlu_formal_logic.csv"})
    void goldLetterInEveryAnswerPatternIsExtracted(String file) {
        List<Item> items = items(file);
        assertThat(items).hasSize(100);
        String[] endings = {
            "A careful check of each option shows which one holds. I am confident. The answer is (%s).",
            "I compared the options one by one.\nAnswer: %s",
            "After eliminating the others, the correct answer is **%s**.",
            "A quick computation settles it, so I pick (%s)",
            "Each option was checked.\n\n%s",
        };
        List<String> wrong = new ArrayList<>();
        for (Item item : items) {
            for (String ending : endings) {
                String text = restated(item) + String.format(ending, item.gold());
                Optional<String> got = extractor.extract(text);
                if (!got.equals(Optional.of(item.gold()))) {
                    wrong.add(item.gold() + " vs " + got + " in: " + text);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mmlu_college_mathematics.csv", "mmlu_formal_logic.csv"})
    void restatedQuestionWithoutAnAnswerYieldsNothing(String file) {
        // The question text and its "A. ..." option lines alone contain no answer pattern.
        List<String> falsePositives = new ArrayList<>();
        for (Item item : items(file)) {
            String text = restated(item) + "I am not sure which option is right.";
            Optional<String> got = extractor.extract(text);
            if (got.isPresent()) {
                falsePositives.add(got.get() + " in: " + text);
            }
        }
        assertThat(falsePositives).isEmpty();
    }
}
