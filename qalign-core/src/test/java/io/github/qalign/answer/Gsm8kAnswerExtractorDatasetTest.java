package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The GSM8K extractor on all 1319 gold solutions of the GSM8K test split. */
class Gsm8kAnswerExtractorDatasetTest {

    private final Gsm8kAnswerExtractor extractor = new Gsm8kAnswerExtractor();
    private final List<JsonNode> rows = DatasetRows.jsonl("/data/gsm8k/test.jsonl");

    /** Independent reference: the text after the last "####", commas removed, as a stripped BigDecimal. */
    private static String goldAfterMarker(String solution) {
        String tail = solution.substring(solution.lastIndexOf("####") + 4).strip().replace(",", "");
        return new BigDecimal(tail).stripTrailingZeros().toPlainString();
    }

    private static String withoutMarkerLine(String solution) {
        return solution.substring(0, solution.lastIndexOf("####")).stripTrailing();
    }

    /**
     * Every gold solution with its "#### N" line replaced by {@code finalLine} of the marker's text N (as written,
     * commas kept), run through the extractor; the ones whose answer is not the gold number, described.
     */
    private List<String> mismatchesWithFinalLine(UnaryOperator<String> finalLine) {
        List<String> wrong = new ArrayList<>();
        for (JsonNode row : rows) {
            String solution = row.get("answer").asText();
            String gold = goldAfterMarker(solution);
            String tail = solution.substring(solution.lastIndexOf("####") + 4).strip();
            String text = withoutMarkerLine(solution) + "\n" + finalLine.apply(tail);
            Optional<String> got = extractor.extract(text);
            if (!got.equals(Optional.of(gold))) {
                wrong.add(gold + " vs " + got + " in: " + text);
            }
        }
        return wrong;
    }

    @Test
    void extractsTheFinalNumberOfEveryGoldSolution() {
        assertThat(rows).hasSize(1319);
        List<String> wrong = new ArrayList<>();
        int withCommas = 0;
        for (JsonNode row : rows) {
            String solution = row.get("answer").asText();
            if (solution.substring(solution.lastIndexOf("####")).contains(",")) {
                withCommas++;
            }
            Optional<String> got = extractor.extract(solution);
            if (!got.equals(Optional.of(goldAfterMarker(solution)))) {
                wrong.add(goldAfterMarker(solution) + " vs " + got);
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(withCommas).isEqualTo(14); // the thousands-separator finals documented in SOURCES.md
    }

    @Test
    void answerPhraseRewriteOfEveryGoldSolutionGivesTheSameNumber() {
        // "#### N" replaced by a model-style closing sentence; the body keeps its <<a*b=c>> annotations and numbers
        List<String> wrong = mismatchesWithFinalLine(
                tail -> "The answer is $" + tail + ". I hope it is correct (3 checks).");
        assertThat(wrong).isEmpty();
    }

    @Test
    void lastNumberFallbackOnEveryGoldSolutionWithAFinalSentence() {
        List<String> wrong = mismatchesWithFinalLine(tail -> "So in total it comes to " + tail + ".");
        assertThat(wrong).isEmpty();
    }
}
