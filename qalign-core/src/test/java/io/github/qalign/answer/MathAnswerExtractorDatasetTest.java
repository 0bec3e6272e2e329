package io.github.qalign.answer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The MATH extractor on the gold solutions of MATH-500: the boxed answer must match the `answer` field. */
class MathAnswerExtractorDatasetTest {

    private final MathAnswerExtractor extractor = new MathAnswerExtractor();

    @Test
    void boxedAnswerOfEveryGoldSolutionMatchesTheNormalisedAnswerField() {
        List<JsonNode> rows = DatasetRows.jsonl("/data/math500/test.jsonl");
        assertThat(rows).hasSize(500);
        List<String> mismatches = new ArrayList<>();
        int rawEqual = 0;
        for (JsonNode row : rows) {
            Optional<String> raw = MathAnswerExtractor.lastBoxedContent(row.get("solution").asText());
            if (raw.isPresent() && raw.get().strip().equals(row.get("answer").asText().strip())) {
                rawEqual++;
            }
            String gold = MathAnswerExtractor.normalize(row.get("answer").asText());
            Optional<String> got = extractor.extract(row.get("solution").asText());
            if (got.isEmpty() || !got.get().equals(gold)) {
                mismatches.add(row.get("unique_id").asText() + ": gold '" + row.get("answer").asText() + "' -> '"
                        + gold + "', extracted " + got.map(s -> "'" + s + "'").orElse("nothing"));
            }
        }
        mismatches.forEach(System.out::println);
        System.out.println("MATH-500: raw boxed == answer field for " + rawEqual + " / 500; after normalisation "
                + (rows.size() - mismatches.size()) + " / 500 agree");
        assertThat(mismatches).isEmpty();
    }

    @Test
    void normalisationKeepsDifferentAnswersApart() {
        // Independent check that normalise() is not so aggressive that it equates different gold answers: map each
        // normalised answer to the raw answers with whitespace removed; different raw spellings may only collide
        // when they differ by the documented rewrites.
        List<JsonNode> rows = DatasetRows.jsonl("/data/math500/test.jsonl");
        java.util.Map<String, java.util.Set<String>> byNormal = new java.util.TreeMap<>();
        for (JsonNode row : rows) {
            String raw = row.get("answer").asText();
            String norm = MathAnswerExtractor.normalize(raw);
            assertThat(norm).as("normalised answer of %s", raw).isNotEmpty();
            byNormal.computeIfAbsent(norm, k -> new java.util.TreeSet<>()).add(raw.replaceAll("\\s+", ""));
        }
        List<String> collisions = new ArrayList<>();
        byNormal.forEach((norm, raws) -> {
            if (raws.size() > 1) {
                collisions.add(norm + " <- " + raws);
            }
        });
        // every collision is one of the documented rewrites (thousands separator, degrees, units, dollars, x=,
        // \frac14), never two different values
        assertThat(collisions).containsExactly(
                "10080 <- [10,\\!080, 10080]",
                "120 <- [120, 120^\\circ]",
                "15 <- [15, 15\\mbox{cm}^2]",
                "30 <- [30, 30^\\circ]",
                "36 <- [36, 36^\\circ, \\$36]",
                "5 <- [5, x=5]",
                "90 <- [90, 90^\\circ]",
                "\\frac{1}{4} <- [\\frac14, \\frac{1}{4}]");
    }
}
